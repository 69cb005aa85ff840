import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import { keystore } from '../../../shared/keystore.js';
import type { TypedCodeAttempts } from '../application/ports.js';

const WINDOW_MS = 60_000;

/**
 * At most `perMinute` wrong typed codes per network per minute (FALLBACK_CODE_FAILURES_PER_MINUTE), counted
 * before the code is looked at: of 300 guesses sent at once, no more than the budget are evaluated. A
 * right code gives its attempt back, so a classroom typing the right code never uses up the budget.
 */
export function createTypedCodeAttempts(store: KeyValueStore, perMinute: number): TypedCodeAttempts {
  return {
    async begin(network) {
      const { count, ttlMs } = await store.increment(keystore.scanTypedCodeFailures(network), WINDOW_MS);
      return count > perMinute ? Math.max(1, Math.ceil(ttlMs / 1000)) : null;
    },
    succeeded: (network) => store.decrement(keystore.scanTypedCodeFailures(network)),
  };
}
