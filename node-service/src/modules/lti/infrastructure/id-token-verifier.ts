import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { ltiErrors } from '../domain/errors.js';
import type { IdTokenVerifier, Platform } from '../application/ports.js';

/** Platforms sign id_tokens with RS256 (LTI Security Framework §5.1.3): the only algorithm accepted. */
const ALGORITHMS = ['RS256'];

/**
 * Verifies a platform's id_token with jose against the platform's JWKS (fetched and cached per URL): the
 * algorithm pinned, `iss` the platform's issuer, `aud` our client id (and `azp` ours when there are several
 * audiences, LTI Core §5.1.3), `exp`, and `iat` no older than the maximum age.
 */
export function createIdTokenVerifier(settings: { clockToleranceMs: number; maxAgeMs: number; timeoutMs: number; cacheMs: number }): IdTokenVerifier {
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const keySetOf = (url: string) => {
    let set = keySets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), { timeoutDuration: settings.timeoutMs, cacheMaxAge: settings.cacheMs, cooldownDuration: 30_000 });
      keySets.set(url, set);
    }
    return set;
  };
  return {
    async verify(idToken, platform: Platform) {
      let payload;
      try {
        ({ payload } = await jwtVerify(idToken, keySetOf(platform.jwksUrl), {
          algorithms: ALGORITHMS,
          issuer: platform.issuer,
          audience: platform.clientId,
          clockTolerance: settings.clockToleranceMs / 1000,
          maxTokenAge: settings.maxAgeMs / 1000,
          requiredClaims: ['sub', 'exp', 'iat', 'nonce'],
        }));
      } catch (error) {
        throw ltiErrors.LTI_TOKEN_INVALID({ reason: reasonOf(error, idToken) });
      }
      if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== platform.clientId) {
        throw ltiErrors.LTI_TOKEN_INVALID({ reason: 'azp' });
      }
      return payload as Record<string, unknown>;
    },
  };
}

/** A few words for the refusal page and the log. */
function reasonOf(error: unknown, token: string): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return error.claim === 'iat' ? 'too old' : `wrong ${error.claim}`;
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return `algorithm ${algorithmOf(token)} refused`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'platform keys unavailable';
  if (error instanceof errors.JOSEError) return 'malformed';
  // Not jose's: fetching the platform's JWKS failed.
  return 'platform keys unavailable';
}

function algorithmOf(token: string): string {
  try {
    return String(decodeProtectedHeader(token).alg ?? 'none');
  } catch {
    return 'unknown';
  }
}
