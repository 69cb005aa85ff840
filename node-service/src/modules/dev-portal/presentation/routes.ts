import type {} from '@fastify/cookie';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineErrors } from '../../../shared/errors.js';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { DEMO_USERS } from '../../directory/index.js';
import type { TokenIssuer } from '../infrastructure/token-issuer.js';

const SESSION_COOKIE = 'asistencia_dev_session';

const devErrors = defineErrors({
  DEV_UNKNOWN_USER: {
    kind: 'not_found',
    es: 'No existe ese usuario de demostración.',
    en: 'There is no such demo user.',
  },
  DEV_NOT_SIGNED_IN: {
    kind: 'unauthenticated',
    es: 'Inicia sesión en la página de desarrollo.',
    en: 'Sign in on the development page.',
  },
  DEV_CROSS_SITE: {
    kind: 'forbidden',
    es: 'Solicitud de otro sitio rechazada.',
    en: 'Cross-site request refused.',
  },
});

const userSchema = z.object({ id: z.string(), username: z.string(), name: z.string(), role: z.string() });

/**
 * Development sign-in: stands in for the PHP portal when no JWT secret is configured, issuing portal-style
 * tokens for the demo users, signed with a secret made for this run. Never registered otherwise.
 */
export function devPortalRoutes(deps: {
  issuer: TokenIssuer;
  sessionMs: number;
  secureCookie: boolean;
  /** BASE_PATH: the sign-in cookie is sent to the service's paths only. */
  basePath: string;
  limits: RateLimits;
}): FastifyPluginAsyncZod {
  return async (app) => {
    const cookieOptions = {
      path: `${deps.basePath}/`,
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: deps.secureCookie,
    };
    const sameOrigin = (site: string | string[] | undefined) => site === undefined || site === 'same-origin' || site === 'none';

    app.get(
      '/dev/users',
      { schema: { tags: ['development'], summary: 'Demo users (development mode only)', response: { 200: z.object({ users: z.array(userSchema) }) } } },
      async () => ({ users: DEMO_USERS.map((u) => ({ ...u })) }),
    );

    app.post(
      '/dev/sign-in',
      {
        schema: {
          tags: ['development'],
          summary: 'Sign in as a demo user (development mode only)',
          body: z.object({ userId: z.string().min(1).max(32) }),
          response: { 200: userSchema },
        },
        config: { rateLimit: deps.limits.perAddress },
      },
      async (request, reply) => {
        if (!sameOrigin(request.headers['sec-fetch-site'])) throw devErrors.DEV_CROSS_SITE();
        const user = DEMO_USERS.find((u) => u.id === request.body.userId);
        if (!user) throw devErrors.DEV_UNKNOWN_USER();
        const cookie = await deps.issuer.sessionCookie(user.id, deps.sessionMs);
        reply.setCookie(SESSION_COOKIE, cookie, { ...cookieOptions, maxAge: Math.floor(deps.sessionMs / 1000) });
        return { ...user };
      },
    );

    app.get(
      '/dev/token',
      {
        schema: {
          tags: ['development'],
          summary: 'A fresh portal-style token for the signed-in demo user (development mode only)',
          response: { 200: z.object({ token: z.string(), expiresAt: z.number() }) },
        },
        config: { rateLimit: deps.limits.perAddress },
      },
      async (request, reply) => {
        if (!sameOrigin(request.headers['sec-fetch-site'])) throw devErrors.DEV_CROSS_SITE();
        const userId = await deps.issuer.sessionUser(request.cookies[SESSION_COOKIE]);
        const user = DEMO_USERS.find((u) => u.id === userId);
        if (!user) throw devErrors.DEV_NOT_SIGNED_IN();
        reply.header('cache-control', 'no-store');
        return deps.issuer.portalToken(user);
      },
    );

    app.post(
      '/dev/sign-out',
      { schema: { tags: ['development'], summary: 'Sign out (development mode only)', response: { 204: z.null() } } },
      async (_request, reply) => {
        reply.clearCookie(SESSION_COOKIE, cookieOptions);
        return reply.status(204).send(null);
      },
    );
  };
}
