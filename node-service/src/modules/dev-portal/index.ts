import type { RateLimits } from '../../shared/http/rate-limits.js';
import { createTokenIssuer, type IssuerSettings } from './infrastructure/token-issuer.js';
import { devPortalRoutes } from './presentation/routes.js';

/** The development stand-in for the PHP portal's sign-in. Only built when no JWT secret is configured. */
export function createDevPortalModule(deps: { jwt: IssuerSettings; sessionMs: number; secureCookie: boolean; basePath: string; limits: RateLimits }) {
  const issuer = createTokenIssuer(deps.jwt);
  return { issuer, routes: devPortalRoutes({ issuer, sessionMs: deps.sessionMs, secureCookie: deps.secureCookie, basePath: deps.basePath, limits: deps.limits }) };
}
