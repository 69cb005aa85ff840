import type { KeyValueStore } from '../../shared/storage/key-value.js';
import type { SqlDatabase } from '../../shared/storage/sql.js';
import type { RateLimits } from '../../shared/http/rate-limits.js';
import { createAuthenticator, type Authenticator } from './application/authenticate.js';
import { createJwtVerifier, type JwtSettings } from './infrastructure/jwt-verifier.js';
import { createRevocationFeed } from './infrastructure/revocation-feed.js';
import { createRevocationList } from './infrastructure/revocation-list.js';
import { createGuards, type AuthGuards } from './presentation/guards.js';
import { authRoutes } from './presentation/routes.js';

export type { Identity, VerifiedToken } from './domain/identity.js';
export { authErrors } from './domain/errors.js';
export type { Authenticator } from './application/authenticate.js';
export { assertRole } from './application/authenticate.js';
export type { AuthGuards } from './presentation/guards.js';
export { identityOf } from './presentation/guards.js';

export function createAuthModule(deps: {
  jwt: JwtSettings;
  db: SqlDatabase;
  store: KeyValueStore;
  internalApiToken: string | undefined;
  limits: RateLimits;
  report: (error: unknown, context: string) => void;
  /** The time tokens' `exp`, `nbf` and `iat` are judged at (ms since the epoch). */
  now: () => number;
}) {
  const authenticator: Authenticator = createAuthenticator({
    verifier: createJwtVerifier(deps.jwt, deps.now),
    revocations: createRevocationList(deps.db),
    feed: createRevocationFeed(deps.store),
    report: deps.report,
  });
  const guards: AuthGuards = createGuards(authenticator, deps.internalApiToken);
  return { authenticator, guards, routes: authRoutes({ authenticator, guards, limits: deps.limits }) };
}
