import type { VerifiedToken } from '../domain/identity.js';

export interface TokenVerifier {
  /** Verifies signature and claims; throws an AppError with a distinct code for each defect. */
  verify(token: string): Promise<VerifiedToken>;
}

export interface RevocationList {
  revoke(jti: string, expiresAt: number): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}

/** Tells every instance that a `jti` was revoked, as it happens (the list above stays the truth). */
export interface RevocationFeed {
  announce(jti: string): Promise<void>;
  /** Resolves once listening; the returned function stops. */
  watch(listener: (jti: string) => void): Promise<() => Promise<void>>;
}
