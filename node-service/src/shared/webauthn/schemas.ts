import { z } from 'zod';

/** Binary data as WebAuthn's JSON carries it, with a ceiling on its length in characters. */
export const base64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/, { error: 'expected base64url' });

/** 64 bytes of r ‖ s, base64url: what WebCrypto's ECDSA P-256 signature is (the phone key's, shared/phone-key.ts). */
export const p256SignatureSchema = z.string().regex(/^[A-Za-z0-9_-]{86}$/, { error: 'expected a P-256 signature (64 bytes, base64url)' });

/**
 * What @simplewebauthn/browser's startAuthentication resolves to (AuthenticationResponseJSON): a scan's
 * confirmation and a re-binding. A credential id is at most 1,023 bytes (1,364 characters).
 */
export const assertionResponseSchema = z.object({
  id: base64url(1400),
  rawId: base64url(1400),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(8 * 1024),
    authenticatorData: base64url(8 * 1024),
    signature: base64url(1024),
    userHandle: base64url(128).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});
