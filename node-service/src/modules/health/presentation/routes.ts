import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkReadiness, type ReadinessCheck } from '../application/check-readiness.js';

const readinessSchema = z.object({
  status: z.enum(['ready', 'degraded', 'not_ready']),
  parts: z.record(z.string(), z.enum(['ok', 'degraded', 'failing'])),
  failing: z.array(z.string()),
  degraded: z.array(z.string()),
  /** Why a part fails or is degraded, when its check says (e.g. postgres: refusing writes, read-only). */
  reasons: z.record(z.string(), z.string()).optional(),
});

export function healthRoutes(checks: readonly ReadinessCheck[]): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: { tags: ['operations'], summary: 'The process is alive (no I/O)', response: { 200: z.object({ status: z.literal('ok') }) } },
        logLevel: 'warn',
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/ready',
      {
        schema: {
          tags: ['operations'],
          summary:
            'Postgres and Valkey reachable, Postgres accepting writes, and migrations applied; 503 naming the failing part ' +
            '(and in `reasons` why, when known) otherwise. ' +
            'status "degraded" (200) names parts an operator should look at: a host clock off the shared clock, a Valkey ' +
            'slower than VALKEY_MAX_LATENCY_MS, a PostgreSQL standby (DATABASE_REPLICA_URL) down or lagging (its reads then go to the primary)',
          response: { 200: readinessSchema, 503: readinessSchema },
        },
        logLevel: 'warn',
      },
      async (_request, reply) => {
        const { ready, parts, reasons } = await checkReadiness(checks);
        const named = (wanted: string) => Object.entries(parts).filter(([, state]) => state === wanted).map(([part]) => part);
        const failing = named('failing');
        const degraded = named('degraded');
        const status = !ready ? 'not_ready' : degraded.length > 0 ? 'degraded' : 'ready';
        return reply.status(ready ? 200 : 503).send({ status, parts, failing, degraded, ...(reasons ? { reasons } : {}) });
      },
    );
  };
}
