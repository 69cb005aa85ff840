import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import type { Authenticator } from '../application/authenticate.js';
import { ROLES } from '../domain/identity.js';
import { identityOf, type AuthGuards } from './guards.js';

const identitySchema = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) });

export function authRoutes(deps: { authenticator: Authenticator; guards: AuthGuards; limits: RateLimits }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/me',
      {
        schema: {
          tags: ['identity'],
          summary: 'The identity of the verified portal token',
          security: [{ portalToken: [] }],
          response: { 200: identitySchema },
        },
        preHandler: deps.guards.signedIn,
        config: { rateLimit: deps.limits.perUser },
      },
      async (request) => identityOf(request),
    );

    app.post(
      '/internal/revocations',
      {
        schema: {
          tags: ['internal'],
          summary: 'The portal revokes a token it issued (on logout), until the token expires',
          security: [{ serviceCredential: [] }],
          body: z.object({
            jti: z.string().min(8).max(128),
            exp: z.number().int().positive(),
          }),
          response: { 204: z.null() },
        },
        preHandler: deps.guards.service,
      },
      async (request, reply) => {
        await deps.authenticator.revoke(request.body.jti, request.body.exp);
        return reply.status(204).send(null);
      },
    );
  };
}
