// The phone key (src/shared/phone-key.ts says why): a non-extractable P-256 key made here with WebCrypto
// at enrolment and kept in this browser's IndexedDB for this origin. Script code can use it to sign but can
// never read the private key back out, so it cannot be copied to another phone. The scan page signs with it.

const DATABASE = 'asistencia';
const STORE = 'phone-key';
const ENTRY = 'current';
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

import { phoneKeyMessageText, type PhoneKeyPurpose } from '../../../src/shared/contract';

export interface PhoneKey {
  /** base64url SHA-256 of the public key's SPKI bytes: what the service knows the phone by. */
  readonly id: string;
  /** The public key (SPKI, DER), base64url. */
  readonly publicKey: string;
  readonly keyPair: CryptoKeyPair;
}

const base64url = (bytes: ArrayBuffer | Uint8Array): string => {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = work(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

async function describe(keyPair: CryptoKeyPair): Promise<PhoneKey> {
  const spki = await crypto.subtle.exportKey('spki', keyPair.publicKey);
  return { id: base64url(await crypto.subtle.digest('SHA-256', spki)), publicKey: base64url(spki), keyPair };
}

/** This phone's key, if this browser holds one. */
export async function existingPhoneKey(): Promise<PhoneKey | null> {
  if (!('indexedDB' in globalThis) || !globalThis.crypto?.subtle) return null;
  const keyPair = await withStore<CryptoKeyPair | undefined>('readonly', (store) => store.get(ENTRY) as IDBRequest<CryptoKeyPair | undefined>);
  return keyPair ? describe(keyPair) : null;
}

/** This phone's key, made now if this browser has none; asks the browser to keep the site's data. */
export async function ensurePhoneKey(): Promise<PhoneKey> {
  const existing = await existingPhoneKey();
  if (existing) return existing;
  const keyPair = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
  await withStore('readwrite', (store) => store.put(keyPair, ENTRY));
  await navigator.storage?.persist?.().catch(() => false);
  return describe(keyPair);
}

/** The phone key's signature (raw r ‖ s, base64url) over the same bytes the service checks. */
export async function signWithPhoneKey(key: PhoneKey, purpose: PhoneKeyPurpose, ...parts: string[]): Promise<string> {
  const message = new TextEncoder().encode(phoneKeyMessageText(purpose, ...parts));
  return base64url(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.keyPair.privateKey, message));
}

/** A fresh nonce for a signed request, so that none can be replayed. */
export function phoneNonce(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}
