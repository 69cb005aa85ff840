import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

/** Where a portal token is signed: the portal's HS256 secret, issuer and audience (JWT_*). */
export interface PortalTokenSigner {
  secret: Uint8Array;
  issuer: string;
  audience: string;
}

/**
 * A token shaped as the PHP portal issues it (HS256, iss, aud, sub, role, name, iat/nbf/exp, a jti), which the
 * auth module verifies like any other: for the development sign-in and for people signed in by an LTI launch.
 */
export async function signPortalToken(
  signer: PortalTokenSigner,
  person: { sub: string; role: string; name: string },
  issuedAt: number,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({ role: person.role, name: person.name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(signer.issuer)
    .setAudience(signer.audience)
    .setSubject(person.sub)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomBytes(16).toString('hex'))
    .sign(signer.secret);
  return { token, expiresAt };
}
