import { signPortalToken } from '../../../shared/portal-token.js';
import { SignJWT, jwtVerify } from 'jose';
import type { DemoUser } from '../../directory/index.js';

export interface IssuerSettings {
  secret: Uint8Array;
  issuer: string;
  audience: string;
}

const SESSION_AUDIENCE = 'asistencia-dev-session';
const PORTAL_TOKEN_TTL_SECONDS = 300;

/** Signs what the PHP portal would: a short portal token, and (development only) a sign-in cookie. */
export function createTokenIssuer(settings: IssuerSettings, now: () => number = Date.now) {
  const seconds = () => Math.floor(now() / 1000);
  return {
    portalToken: (user: DemoUser): Promise<{ token: string; expiresAt: number }> =>
      signPortalToken(settings, { sub: user.id, role: user.role, name: user.name }, seconds(), PORTAL_TOKEN_TTL_SECONDS),
    async sessionCookie(userId: string, lifetimeMs: number): Promise<string> {
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setAudience(SESSION_AUDIENCE)
        .setSubject(userId)
        .setIssuedAt(seconds())
        .setExpirationTime(seconds() + Math.floor(lifetimeMs / 1000))
        .sign(settings.secret);
    },
    /** The signed-in user id, or null when the cookie is absent, forged or expired. */
    async sessionUser(cookie: string | undefined): Promise<string | null> {
      if (!cookie) return null;
      try {
        const { payload } = await jwtVerify(cookie, settings.secret, { algorithms: ['HS256'], audience: SESSION_AUDIENCE });
        return payload.sub ?? null;
      } catch {
        return null;
      }
    },
  };
}

export type TokenIssuer = ReturnType<typeof createTokenIssuer>;
