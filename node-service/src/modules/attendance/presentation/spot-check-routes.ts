import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { personIdSchema } from '../../../shared/ids.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { SpotCheckService } from '../application/spot-checks.js';
import type { SpotCheck } from '../domain/spot-check.js';
import { sessionIdParams } from './schemas.js';

const outcomeEnum = z.enum(['called', 'answered', 'no_answer']);
const spotCheckSchema = z.object({
  id: z.number(),
  round: z.number().nullable(),
  drawnBy: z.string(),
  drawnAt: z.string(),
  calls: z.array(
    z.object({ studentId: z.string(), studentName: z.string(), outcome: outcomeEnum, reason: z.string().nullable(), decidedAt: z.string().nullable() }),
  ),
});

const spotCheckJson = (check: SpotCheck): z.infer<typeof spotCheckSchema> => ({
  ...check,
  drawnAt: check.drawnAt.toISOString(),
  calls: check.calls.map((call) => ({ ...call, decidedAt: call.decidedAt ? call.decidedAt.toISOString() : null })),
});

/** "Llamar al azar" for the session's teacher (docs/api.md, "Spot checks"). */
export function spotCheckRoutes(deps: { spotChecks: SpotCheckService; guards: AuthGuards; limits: RateLimits; maxStudents: number }): FastifyPluginAsyncZod {
  const teacher = { preHandler: deps.guards.roles('teacher', 'admin'), config: { rateLimit: deps.limits.perUser } };
  const security = [{ portalToken: [] }];
  return async (app) => {
    app.post(
      '/api/sessions/:id/spot-checks',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'Draw students who confirmed, at random, to call by name (shown to the teacher only)',
          params: sessionIdParams,
          body: z.object({ count: z.number().int().min(1).max(deps.maxStudents) }).strict(),
          response: { 201: spotCheckSchema },
        },
      },
      async (request, reply) => {
        const check = await deps.spotChecks.draw(identityOf(request), request.params.id, request.body.count);
        return reply.code(201).send(spotCheckJson(check));
      },
    );

    app.get(
      '/api/sessions/:id/spot-checks',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'The session’s spot checks, newest first, with each call and its mark',
          params: sessionIdParams,
          response: { 200: z.object({ checks: z.array(spotCheckSchema) }) },
        },
      },
      async (request) => ({ checks: (await deps.spotChecks.list(identityOf(request), request.params.id)).map(spotCheckJson) }),
    );

    app.post(
      '/api/sessions/:id/spot-checks/:checkId/students/:studentId',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'Mark a call: answered, or no answer (takes the confirmation away, audited, and flags the device)',
          params: sessionIdParams.extend({ checkId: z.string().regex(/^[1-9][0-9]{0,14}$/, { error: 'expected a spot check id' }).transform(Number), studentId: personIdSchema }),
          body: z.object({ outcome: z.enum(['answered', 'no_answer']), reason: z.string().trim().min(3).max(500).optional() }).strict(),
          response: { 200: z.object({ previous: outcomeEnum, outcome: z.enum(['answered', 'no_answer']) }) },
        },
      },
      async (request) => {
        const { id, checkId, studentId } = request.params;
        return deps.spotChecks.mark(identityOf(request), id, checkId, studentId, request.body.outcome, request.body.reason ?? null);
      },
    );
  };
}
