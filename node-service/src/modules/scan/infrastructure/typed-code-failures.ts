import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import { keystore } from '../../../shared/keystore.js';
import type { TypedCodeAttempts } from '../application/ports.js';

const WINDOW_MS = 60_000;

/**
 * Wrong typed codes, counted before the code is looked at (of 300 guesses sent at once, no more than the
 * budget are evaluated): per phone key first (FALLBACK_CODE_FAILURES_PER_MINUTE), so one student's guesses
 * stop that phone and nobody else; then per client network as a high ceiling
 * (FALLBACK_CODE_FAILURES_PER_ADDRESS_PER_MINUTE) against many phones guessing together. A phone already
 * over its own budget adds nothing to its network's. A right code gives its attempt back to both.
 */
export function createTypedCodeAttempts(store: KeyValueStore, limits: { perPhone: number; perNetwork: number }): TypedCodeAttempts {
  const waitOf = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs / 1000));
  return {
    async begin(phoneKeyId, network) {
      const phone = await store.increment(keystore.scanPhoneTypedCodeFailures(phoneKeyId), WINDOW_MS);
      if (phone.count > limits.perPhone) return waitOf(phone.ttlMs);
      const shared = await store.increment(keystore.scanTypedCodeFailures(network), WINDOW_MS);
      if (shared.count <= limits.perNetwork) return null;
      await store.decrement(keystore.scanPhoneTypedCodeFailures(phoneKeyId));
      return waitOf(shared.ttlMs);
    },
    async succeeded(phoneKeyId, network) {
      await Promise.all([store.decrement(keystore.scanPhoneTypedCodeFailures(phoneKeyId)), store.decrement(keystore.scanTypedCodeFailures(network))]);
    },
  };
}
