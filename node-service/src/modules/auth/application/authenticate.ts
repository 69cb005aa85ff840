import { authErrors } from '../domain/errors.js';
import type { Identity, Role, VerifiedToken } from '../domain/identity.js';
import type { RevocationFeed, RevocationList, TokenVerifier } from './ports.js';

export interface Authenticator {
  /** A verified, unrevoked portal token's identity, or an AppError saying precisely what is wrong. */
  authenticate(token: string | undefined): Promise<Identity>;
  /** The same check, with the token's `jti` and `exp`: what a WebSocket needs to end with its token. */
  verify(token: string | undefined): Promise<VerifiedToken>;
  /** Revokes until `expiresAt` (unix seconds) and tells every instance, so its open sockets close. */
  revoke(jti: string, expiresAt: number): Promise<void>;
  /** Listens to revocations from any instance; resolves once listening. */
  watchRevocations(listener: (jti: string) => void): Promise<() => Promise<void>>;
}

export function createAuthenticator(deps: {
  verifier: TokenVerifier;
  revocations: RevocationList;
  feed: RevocationFeed;
  /** Where a revocation that was stored but could not be announced is reported. */
  report: (error: unknown, context: string) => void;
}): Authenticator {
  const verify = async (token: string | undefined): Promise<VerifiedToken> => {
    if (!token) throw authErrors.AUTH_TOKEN_MISSING();
    const verified = await deps.verifier.verify(token);
    if (await deps.revocations.isRevoked(verified.jti)) throw authErrors.AUTH_TOKEN_REVOKED();
    return verified;
  };
  return {
    verify,
    authenticate: async (token) => (await verify(token)).identity,
    async revoke(jti, expiresAt) {
      await deps.revocations.revoke(jti, expiresAt);
      // Stored first: whatever happens to the announcement, the token is refused from now on, and a socket
      // that missed it still closes at the token's `exp`.
      await deps.feed.announce(jti).catch((error: unknown) => deps.report(error, 'revocation stored but not announced'));
    },
    watchRevocations: (listener) => deps.feed.watch(listener),
  };
}

export function assertRole(identity: Identity, allowed: readonly Role[]): void {
  if (!allowed.includes(identity.role)) throw authErrors.AUTH_ROLE_FORBIDDEN({ role: identity.role });
}
