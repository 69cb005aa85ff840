import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import type { AuthGuards } from '../../auth/index.js';
import type { MailRunCounts } from '../application/mail-job.js';

const countsSchema = z.object({
  warningsSent: z.number().int(),
  digestsSent: z.number().int(),
  withoutAddress: z.number().int(),
  failed: z.number().int(),
  capped: z.boolean(),
});

/** An admin runs the warnings by e-mail now, instead of waiting for the next check (docs/operations.md). */
export function mailRoutes(deps: { enabled: boolean; runOnce(): Promise<MailRunCounts | null>; guards: AuthGuards; limits: RateLimits }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/admin/mail/run',
      {
        preHandler: deps.guards.roles('admin'),
        config: { rateLimit: deps.limits.perUser },
        schema: {
          tags: ['notifications'],
          security: [{ portalToken: [] }],
          summary: 'Run the warnings by e-mail now: what is due is sent, nothing twice (ran: false when e-mail is off or another instance is running them)',
          body: z.object({}).strict().nullish(),
          response: { 200: z.object({ enabled: z.boolean(), ran: z.boolean(), counts: countsSchema.nullable() }) },
        },
      },
      async () => {
        const counts = await deps.runOnce();
        return { enabled: deps.enabled, ran: counts !== null, counts };
      },
    );
  };
}
