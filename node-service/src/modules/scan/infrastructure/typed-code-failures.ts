import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import { keystore } from '../../../shared/keystore.js';
import type { TypedCodeFailures } from '../application/ports.js';

const WINDOW_MS = 60_000;

/** At most `perMinute` wrong typed codes per network per minute (FALLBACK_CODE_FAILURES_PER_MINUTE). */
export function createTypedCodeFailures(store: KeyValueStore, perMinute: number): TypedCodeFailures {
  return {
    async blockedFor(network) {
      const key = keystore.scanTypedCodeFailures(network);
      if (Number(await store.get(key)) < perMinute) return null;
      return Math.max(1, Math.ceil(((await store.ttlMs(key)) ?? WINDOW_MS) / 1000));
    },
    async add(network) {
      await store.increment(keystore.scanTypedCodeFailures(network), WINDOW_MS);
    },
  };
}
