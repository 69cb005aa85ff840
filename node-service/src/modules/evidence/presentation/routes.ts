import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { identityOf, type AuthGuards, type Identity } from '../../auth/index.js';
import type { ChainHead, Receipt } from '../domain/receipt.js';
import { receiptsFile } from '../infrastructure/receipts-file.js';

/** The session's receipts file, for its teacher or an admin: `npm run receipts -- verify --file` checks it alone. */
export function evidenceRoutes(deps: {
  guards: AuthGuards;
  limits: RateLimits;
  /** Throws the attendance module's refusal unless the actor may manage the session. */
  authorize(actor: Identity, sessionId: string): Promise<unknown>;
  exportChain(sessionId: string): Promise<{ receipts: Receipt[]; head: ChainHead | null }>;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/sessions/:id/receipts',
      {
        preHandler: deps.guards.roles('teacher', 'admin'),
        config: { rateLimit: deps.limits.perUser },
        schema: {
          tags: ['results'],
          security: [{ portalToken: [] }],
          summary: 'The session’s receipts (JSON Lines): every confirmation’s signed evidence and hash chain',
          params: z.object({ id: z.uuid() }),
        },
      },
      async (request, reply) => {
        await deps.authorize(identityOf(request), request.params.id);
        const { receipts, head } = await deps.exportChain(request.params.id);
        reply.header('content-disposition', `attachment; filename="recibos-${request.params.id}.jsonl"`);
        reply.header('cache-control', 'no-store');
        return reply.type('application/jsonl; charset=utf-8').send(receiptsFile(request.params.id, head, receipts));
      },
    );
  };
}
