import { signPortalToken } from '../../../shared/portal-token.js';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { LoginState } from '../application/launch.js';
import type { DeepLinkRequest } from '../application/deep-linking.js';

/**
 * What the tool hands the browser, signed with the portal's HS256 secret under audiences of their own so
 * none can stand for another: the login's state (bound to the browser that started it), the sign-in a
 * launch gives, the pending deep-linking choice, and the portal-style token the pages use with the API.
 */
const AUDIENCE = {
  state: 'asistencia-lti-state',
  session: 'asistencia-lti-session',
  deepLink: 'asistencia-lti-deep-link',
} as const;

const sessionSchema = z.object({
  sub: z.string().min(1),
  name: z.string(),
  role: z.enum(['teacher', 'student']),
  /** The LMS's origin: the pages may be framed by it while this sign-in lasts. */
  frameOrigin: z.string().regex(/^https?:\/\/[A-Za-z0-9.:[\]-]+$/),
});
export type LtiSession = z.infer<typeof sessionSchema>;

const stateSchema = z.object({ state: z.string(), nonce: z.string(), platformId: z.string() });
const deepLinkSchema = z.object({ request: z.string() });

export interface PortalJwt {
  secret: Uint8Array;
  issuer: string;
  audience: string;
}

/** A portal token lives five minutes, as the PHP portal's do; the page asks again. */
const PORTAL_TOKEN_TTL_SECONDS = 300;

export function createBrowserTokens(settings: PortalJwt & { stateTtlMs: number; sessionMs: number }) {
  const sign = (claims: Record<string, unknown>, audience: string, ttlMs: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${Math.floor(ttlMs / 1000)}s`)
      .sign(settings.secret);
  const read = async <T>(token: string | undefined, audience: string, schema: z.ZodType<T>): Promise<T | null> => {
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, settings.secret, { algorithms: ['HS256'], audience });
      const parsed = schema.safeParse(payload);
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };
  return {
    stateTtlMs: settings.stateTtlMs,
    sessionMs: settings.sessionMs,
    state: (state: LoginState) => sign({ ...state }, AUDIENCE.state, settings.stateTtlMs),
    readState: (token: string | undefined) => read(token, AUDIENCE.state, stateSchema),
    session: (session: LtiSession) => sign({ ...session }, AUDIENCE.session, settings.sessionMs),
    readSession: (token: string | undefined) => read(token, AUDIENCE.session, sessionSchema),
    /** The deep-linking request, kept in the picker form until the teacher chooses (state TTL). */
    deepLink: (request: Omit<DeepLinkRequest, 'courseId' | 'platform'> & { platformId: string }) =>
      sign({ request: JSON.stringify(request) }, AUDIENCE.deepLink, settings.stateTtlMs),
    async readDeepLink(token: string | undefined): Promise<(Omit<DeepLinkRequest, 'courseId' | 'platform'> & { platformId: string }) | null> {
      const found = await read(token, AUDIENCE.deepLink, deepLinkSchema);
      return found ? (JSON.parse(found.request) as Omit<DeepLinkRequest, 'courseId' | 'platform'> & { platformId: string }) : null;
    },
    /** The same token the PHP portal issues (verified by the auth module like any other). */
    portalToken: (session: LtiSession): Promise<{ token: string; expiresAt: number }> =>
      signPortalToken(settings, session, Math.floor(Date.now() / 1000), PORTAL_TOKEN_TTL_SECONDS),
  };
}

export type BrowserTokens = ReturnType<typeof createBrowserTokens>;
