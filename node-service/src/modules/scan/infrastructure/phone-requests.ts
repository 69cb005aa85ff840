import { keystore } from '../../../shared/keystore.js';
import type { KeyValueStore } from '../../../shared/storage/key-value.js';

/** Signed challenge requests served, by phone key and nonce: SET NX, so a captured request is served once. */
export function createPhoneRequests(store: KeyValueStore) {
  return {
    firstUse: (phoneKeyId: string, nonce: string, ttlMs: number) => store.setIfAbsent(keystore.scanPhoneRequest(phoneKeyId, nonce), '1', ttlMs),
  };
}
