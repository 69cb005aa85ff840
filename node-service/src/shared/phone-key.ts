import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { phoneKeyMessageText, type PhoneKeyPurpose } from './contract.js';

/**
 * The phone key: a non-extractable WebCrypto P-256 key made by the enrolment page in the phone's browser
 * and kept in that browser's IndexedDB. The service keeps its public half with the device. Script code
 * cannot read the private key back out, so it cannot be copied to another phone: a scan signed by it comes
 * from the phone that enrolled. Pages (web/src/lib/phone-key.ts) and service sign and check the same bytes,
 * defined here.
 *
 * Signatures are ECDSA P-256 with SHA-256 in WebCrypto's raw form (r ‖ s, 64 bytes: IEEE P1363), over the
 * UTF-8 bytes of `asistencia/phone-key/v1`, the purpose and its parts, one per line (contract.ts, which
 * the pages import too). Every part is base64url or digits, so no part can smuggle a line break.
 */
export type { PhoneKeyPurpose } from './contract.js';

/** A P-256 SubjectPublicKeyInfo is 91 bytes; anything much longer is not one. */
const SPKI_MAX_BYTES = 160;

export function phoneKeyMessage(purpose: PhoneKeyPurpose, ...parts: string[]): Buffer {
  return Buffer.from(phoneKeyMessageText(purpose, ...parts), 'utf8');
}

/** What a scan names the phone by: base64url SHA-256 of the public key's DER bytes. */
export function phoneKeyIdOf(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('base64url');
}

/**
 * Phone keys already parsed, by their DER bytes. A scan checks its phone key's signature twice, and parsing
 * the key (createPublicKey) cost more server CPU than both verifications together (a CPU profile of 500
 * scans: 18 % of the server's time). The same bytes always make the same key, so the cache cannot change a
 * verdict; it is bounded (lru-cache: the least recently used goes first) and keeps only keys that parsed.
 */
const PARSED_KEYS_MAX = 20_000;
const parsedKeys = new LRUCache<string, KeyObject>({ max: PARSED_KEYS_MAX });

/** The key, when the bytes are a P-256 public key (SPKI, DER); null for anything else. */
export function parsePhoneKey(spki: Uint8Array): KeyObject | null {
  if (spki.length === 0 || spki.length > SPKI_MAX_BYTES) return null;
  const bytes = Buffer.from(spki);
  const id = bytes.toString('base64');
  const cached = parsedKeys.get(id);
  if (cached) return cached;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  } catch {
    return null;
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return null;
  parsedKeys.set(id, key);
  return key;
}

/** True only for a valid signature of `message` by the phone key `spki`; false for any malformed input. */
export function phoneSignatureValid(spki: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = parsePhoneKey(spki);
  if (!key || signature.length !== 64) return false;
  try {
    return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
