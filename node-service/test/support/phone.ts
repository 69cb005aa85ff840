import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { phoneKeyIdOf, phoneKeyMessage, type PhoneKeyPurpose } from '../../src/shared/phone-key.js';
import type { SoftAuthenticator } from './authenticator.js';

/**
 * A phone's key for tests: the P-256 key the enrolment page makes with WebCrypto and keeps in IndexedDB,
 * here a node:crypto key signing the same bytes in the same raw (r ‖ s) form.
 */
export interface TestPhoneKey {
  /** SubjectPublicKeyInfo (DER), base64url: what the page sends at enrolment. */
  readonly publicKey: string;
  readonly id: string;
  sign(purpose: PhoneKeyPurpose, ...parts: string[]): string;
}

export function createTestPhoneKey(): TestPhoneKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    publicKey: spki.toString('base64url'),
    id: phoneKeyIdOf(spki),
    sign: (purpose, ...parts) => signRaw(privateKey, phoneKeyMessage(purpose, ...parts)),
  };
}

function signRaw(key: KeyObject, message: Buffer): string {
  return sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}

/** A phone: its passkeys (the authenticator) and its phone key. */
export type Phone = SoftAuthenticator & { phoneKey: TestPhoneKey };

export function withPhoneKey(authenticator: SoftAuthenticator, phoneKey: TestPhoneKey = createTestPhoneKey()): Phone {
  return Object.assign(Object.create(null) as object, authenticator, { phoneKey }) as Phone;
}

/** The phone-key proof of a scan's challenge request for a QR token, or a typed code (`code:123456`). */
export function challengeProof(phoneKey: TestPhoneKey, signed: string, nonce = randomBytes(16).toString('base64url')) {
  return { keyId: phoneKey.id, nonce, signature: signedOrJunk(() => phoneKey.sign('scan-challenge', signed, nonce)) };
}

/** A body a test makes malformed on purpose still needs a signature of the right shape. */
function signedOrJunk(signature: () => string): string {
  try {
    return signature();
  } catch {
    return 'A'.repeat(86);
  }
}
