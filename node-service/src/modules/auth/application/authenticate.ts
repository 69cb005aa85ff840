import { authErrors } from '../domain/errors.js';
import type { Identity, Role } from '../domain/identity.js';
import type { RevocationList, TokenVerifier } from './ports.js';

export interface Authenticator {
  /** A verified, unrevoked portal token's identity, or an AppError saying precisely what is wrong. */
  authenticate(token: string | undefined): Promise<Identity>;
  revoke(jti: string, expiresAt: number): Promise<void>;
}

export function createAuthenticator(deps: { verifier: TokenVerifier; revocations: RevocationList }): Authenticator {
  return {
    async authenticate(token) {
      if (!token) throw authErrors.AUTH_TOKEN_MISSING();
      const verified = await deps.verifier.verify(token);
      if (await deps.revocations.isRevoked(verified.jti)) throw authErrors.AUTH_TOKEN_REVOKED();
      return verified.identity;
    },
    revoke: (jti, expiresAt) => deps.revocations.revoke(jti, expiresAt),
  };
}

export function assertRole(identity: Identity, allowed: readonly Role[]): void {
  if (!allowed.includes(identity.role)) throw authErrors.AUTH_ROLE_FORBIDDEN({ role: identity.role });
}
