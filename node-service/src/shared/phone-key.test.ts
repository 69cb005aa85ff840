import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePhoneKey, phoneKeyMessage, phoneSignatureValid } from './phone-key.js';

const spkiOf = (curve: string) => new Uint8Array(generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ format: 'der', type: 'spki' }));

describe('the phone key', () => {
  it('is a P-256 public key, parsed once for the same bytes', () => {
    const spki = spkiOf('P-256');
    const key = parsePhoneKey(spki);
    expect(key?.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(parsePhoneKey(new Uint8Array(spki))).toBe(key);
  });

  it('is nothing else: another curve, junk, empty or oversized bytes', () => {
    expect(parsePhoneKey(spkiOf('P-384'))).toBeNull();
    expect(parsePhoneKey(new Uint8Array([1, 2, 3]))).toBeNull();
    expect(parsePhoneKey(new Uint8Array())).toBeNull();
    expect(parsePhoneKey(new Uint8Array(400))).toBeNull();
  });

  it('signs the message of its purpose: only that signature, by that key, is valid', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const message = phoneKeyMessage('scan-challenge', 'token', 'nonce');
    const signature = new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    // Twice: the second check runs on the cached key.
    expect(phoneSignatureValid(spki, message, signature)).toBe(true);
    expect(phoneSignatureValid(spki, message, signature)).toBe(true);
    expect(phoneSignatureValid(spki, phoneKeyMessage('scan-confirm', 'token', 'nonce'), signature)).toBe(false);
    expect(phoneSignatureValid(spkiOf('P-256'), message, signature)).toBe(false);
    expect(phoneSignatureValid(spki, message, signature.subarray(1))).toBe(false);
  });
});
