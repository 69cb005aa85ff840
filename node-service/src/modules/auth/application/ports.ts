import type { VerifiedToken } from '../domain/identity.js';

export interface TokenVerifier {
  /** Verifies signature and claims; throws an AppError with a distinct code for each defect. */
  verify(token: string): Promise<VerifiedToken>;
}

export interface RevocationList {
  revoke(jti: string, expiresAt: number): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}
