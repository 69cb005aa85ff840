import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import type { AssertionCredential, AssertionVerdict, AssertionVerifier } from './assertion.js';

/**
 * The scan's hot path: the common assertion (an ES256 passkey, 37 bytes of authenticator data, a plain
 * clientDataJSON, a DER signature in canonical form) checked with node:crypto and a public key parsed once
 * per credential, making every check SimpleWebAuthn's verifyAuthenticationResponse makes, in its order:
 * ids, type, challenge, cross-origin fields, origin, RP id hash, user presence and verification, backup
 * flags that agree, and the signature over authenticatorData ‖ SHA-256(clientDataJSON). It only ever says yes on its own: anything
 * it would refuse, or is not sure how to read, goes to SimpleWebAuthn (`reference`), so a refusal always
 * carries the reference's verdict. A differential test (cached-assertion.test.ts) feeds both the same
 * assertions, valid and mutated in every field, and requires the same verdict each time.
 */
const ES256 = -7;
const P256 = 1;
const EC2 = 2;
const AUTH_DATA_BYTES = 37;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const MAX_CACHED_KEYS = 50_000;

interface AssertionJson {
  id?: unknown;
  rawId?: unknown;
  type?: unknown;
  response?: { clientDataJSON?: unknown; authenticatorData?: unknown; signature?: unknown; userHandle?: unknown };
}

export function createCachedAssertionVerifier(
  settings: { rpId: string; origins: readonly string[] },
  reference: AssertionVerifier,
): AssertionVerifier {
  const rpIdHash = createHash('sha256').update(settings.rpId).digest();
  const keys = new Map<string, { cose: Buffer; key: KeyObject | null }>();

  /** The credential's ES256 key, parsed once; null for any other kind of key (the reference handles it). */
  const keyOf = (credential: AssertionCredential): KeyObject | null => {
    const cached = keys.get(credential.credentialId);
    if (cached && cached.cose.equals(credential.publicKey)) return cached.key;
    const key = es256Key(credential.publicKey);
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!);
    keys.set(credential.credentialId, { cose: Buffer.from(credential.publicKey), key });
    return key;
  };

  const fastVerdict = (input: Parameters<AssertionVerifier['verify']>[0]): AssertionVerdict | null => {
    const { id, rawId, type, response } = (input.response ?? {}) as AssertionJson;
    if (typeof id !== 'string' || id === '' || id !== rawId || type !== 'public-key' || !response) return null;
    const { clientDataJSON, authenticatorData, signature, userHandle } = response;
    if (![clientDataJSON, authenticatorData, signature].every(canonicalBase64url)) return null;
    if (userHandle !== undefined && !canonicalBase64url(userHandle)) return null;

    const clientDataBytes = Buffer.from(clientDataJSON as string, 'base64url');
    const clientData = parseObject(clientDataBytes);
    if (!clientData || Object.keys(clientData).some((k) => !['type', 'challenge', 'origin', 'crossOrigin'].includes(k))) return null;
    if (clientData['type'] !== 'webauthn.get' || clientData['challenge'] !== input.expectedChallenge) return null;
    if (clientData['crossOrigin'] !== undefined && clientData['crossOrigin'] !== false) return null;
    if (typeof clientData['origin'] !== 'string' || !settings.origins.includes(clientData['origin'])) return null;

    const authData = Buffer.from(authenticatorData as string, 'base64url');
    if (authData.length !== AUTH_DATA_BYTES || !authData.subarray(0, 32).equals(rpIdHash)) return null;
    const flags = authData[32]!;
    const up = (flags & 0x01) !== 0;
    const uv = (flags & 0x04) !== 0;
    if (!up || !uv || (flags & 0xc0) !== 0) return null; // AT or ED set: not an assertion this path reads
    if ((flags & 0x18) === 0x10) return null; // backed up but not backup-eligible: impossible, refused

    const key = keyOf(input.credential);
    const rs = key && rawSignature(Buffer.from(signature as string, 'base64url'));
    if (!key || !rs) return null;
    const signed = Buffer.concat([authData, createHash('sha256').update(clientDataBytes).digest()]);
    if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, rs)) return null;
    return {
      ok: true,
      newCounter: authData.readUInt32BE(33),
      backedUp: (flags & 0x10) !== 0,
      userHandle: userHandle ? Buffer.from(userHandle as string, 'base64url') : null,
    };
  };

  return {
    options: (input) => reference.options(input),
    async verify(input) {
      return fastVerdict(input) ?? reference.verify(input);
    },
  };
}

/** base64url without padding that re-encodes to itself: no stray trailing bits, nothing a stricter decoder reads otherwise. */
function canonicalBase64url(value: unknown): value is string {
  return typeof value === 'string' && BASE64URL.test(value) && Buffer.from(value, 'base64url').toString('base64url') === value;
}

function parseObject(bytes: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A COSE EC2 P-256 ES256 key as a node:crypto key; null for any other key. */
function es256Key(cose: Uint8Array<ArrayBuffer>): KeyObject | null {
  try {
    const decoded = decodeCredentialPublicKey(cose) as unknown as Map<number, unknown>;
    const x = decoded.get(-2);
    const y = decoded.get(-3);
    if (decoded.get(1) !== EC2 || decoded.get(3) !== ES256 || decoded.get(-1) !== P256) return null;
    if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== 32 || y.length !== 32) return null;
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') }, format: 'jwk' });
  } catch {
    return null;
  }
}

/**
 * r ‖ s (32 bytes each) from a DER ECDSA signature in its canonical form only (short lengths, each integer
 * minimal and positive, nothing after it); null for anything else, which the reference reads instead.
 */
function rawSignature(der: Buffer): Buffer | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const integer = (at: number): { bytes: Buffer; next: number } | null => {
    if (der[at] !== 0x02) return null;
    const length = der[at + 1]!;
    const bytes = der.subarray(at + 2, at + 2 + length);
    if (length < 1 || length > 33 || bytes.length !== length) return null;
    if ((bytes[0]! & 0x80) !== 0) return null; // negative
    if (length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) return null; // not minimal
    if (length === 33 && bytes[0] !== 0) return null; // larger than the curve's 32 bytes
    return { bytes, next: at + 2 + length };
  };
  const r = integer(2);
  const s = r && integer(r.next);
  if (!r || !s || s.next !== der.length) return null;
  const fixed = (bytes: Buffer) => (bytes.length === 33 ? bytes.subarray(1) : Buffer.concat([Buffer.alloc(32 - bytes.length), bytes]));
  return Buffer.concat([fixed(r.bytes), fixed(s.bytes)]);
}
