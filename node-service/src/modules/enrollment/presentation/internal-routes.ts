import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { personIdSchema } from '../../../shared/ids.js';
import type { AuthGuards } from '../../auth/index.js';
import type { DeviceManagement } from '../application/devices.js';
import { changeSchema } from './responses.js';
import { changeView } from './schemas.js';

/**
 * What the portal asks on the service network (never through Apache): the recent changes to a student's
 * devices, so that its home page tells the student of one they did not make, as "Mi asistencia" does.
 */
export function internalRoutes(deps: { management: DeviceManagement; guards: AuthGuards; noticeDays: number; now: () => Date }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/internal/students/:studentId/device-changes',
      {
        schema: {
          tags: ['internal'],
          summary: 'The changes to a student’s devices within ENROLLMENT_CHANGE_NOTICE_DAYS, newest first (the portal’s home shows them)',
          security: [{ serviceCredential: [] }],
          params: z.object({ studentId: personIdSchema }),
          response: { 200: z.object({ noticeDays: z.number(), changes: z.array(changeSchema) }) },
        },
        preHandler: deps.guards.service,
      },
      async (request) => {
        const since = deps.now().getTime() - deps.noticeDays * 24 * 60 * 60 * 1000;
        const { changes } = await deps.management.overview(request.params.studentId);
        return { noticeDays: deps.noticeDays, changes: changes.filter((c) => c.occurredAt.getTime() >= since).map(changeView) };
      },
    );
  };
}
