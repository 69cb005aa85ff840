import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { authErrors } from '../domain/errors.js';
import { isRole, type VerifiedToken } from '../domain/identity.js';
import type { TokenVerifier } from '../application/ports.js';

export interface JwtSettings {
  secret: Uint8Array;
  issuer: string;
  audience: string;
  clockToleranceMs: number;
  maxAgeMs: number;
}

/**
 * Portal tokens: HS256 only (pinned), with `iss`, `aud`, `exp`, `nbf`, `iat`, `sub`, `role`, `name`, `jti`,
 * judged at `now()` (ms since the epoch): this host's clock in production, a clock a test steps otherwise.
 */
export function createJwtVerifier(settings: JwtSettings, now: () => number): TokenVerifier {
  return {
    async verify(token) {
      let payload;
      try {
        ({ payload } = await jwtVerify(token, settings.secret, {
          algorithms: ['HS256'],
          issuer: settings.issuer,
          audience: settings.audience,
          // jose counts these in seconds.
          clockTolerance: settings.clockToleranceMs / 1000,
          maxTokenAge: settings.maxAgeMs / 1000,
          requiredClaims: ['sub', 'exp', 'nbf', 'iat', 'jti'],
          currentDate: new Date(now()),
        }));
      } catch (error) {
        throw classify(error, token);
      }
      const { sub, role, name, jti, exp } = payload;
      if (!sub || !isRole(role) || typeof name !== 'string' || !name || !jti || typeof exp !== 'number') {
        throw authErrors.AUTH_TOKEN_CLAIMS_INVALID();
      }
      return { identity: { id: sub, name, role }, jti, expiresAt: exp } satisfies VerifiedToken;
    },
  };
}

function classify(error: unknown, token: string) {
  if (error instanceof errors.JWTExpired) return authErrors.AUTH_TOKEN_EXPIRED();
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return authErrors.AUTH_TOKEN_NOT_YET_VALID();
      case 'aud':
        return authErrors.AUTH_TOKEN_WRONG_AUDIENCE();
      case 'iss':
        return authErrors.AUTH_TOKEN_WRONG_ISSUER();
      case 'iat':
        // `iat` in the future, or older than the maximum age.
        return error.reason === 'check_failed' ? authErrors.AUTH_TOKEN_EXPIRED() : authErrors.AUTH_TOKEN_CLAIMS_INVALID();
      default:
        return authErrors.AUTH_TOKEN_CLAIMS_INVALID();
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return algorithmOf(token) === 'none' ? authErrors.AUTH_TOKEN_UNSIGNED() : authErrors.AUTH_TOKEN_ALGORITHM_REFUSED();
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return authErrors.AUTH_TOKEN_BAD_SIGNATURE();
  return authErrors.AUTH_TOKEN_MALFORMED();
}

function algorithmOf(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}
