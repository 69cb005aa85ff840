import { keystore } from '../../../shared/keystore.js';
import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import type { PhoneRequests } from '../application/ports.js';

const WINDOW_MS = 60_000;

/**
 * Signed challenge requests, by phone key: each nonce is served once (SET NX), and one phone key asks at
 * most `perMinute` times a minute (SCAN_REQUESTS_PER_PHONE_PER_MINUTE). Only the phone holding the key can
 * spend its budget, so nobody behind the same address can lock a classmate out.
 */
export function createPhoneRequests(store: KeyValueStore, perMinute: number): PhoneRequests {
  return {
    async admit(phoneKeyId, nonce, ttlMs) {
      const [first, { count, ttlMs: left }] = await Promise.all([
        store.setIfAbsent(keystore.scanPhoneRequest(phoneKeyId, nonce), '1', ttlMs),
        store.increment(keystore.scanPhoneRequests(phoneKeyId), WINDOW_MS),
      ]);
      if (!first) return 'replayed';
      return count > perMinute ? Math.max(1, Math.ceil(left / 1000)) : 'admitted';
    },
  };
}
