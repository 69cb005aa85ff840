import type { KeyValueStore } from '../storage/key-value.js';
import { keystore } from '../keystore.js';

/**
 * A store for @fastify/rate-limit on top of our KeyValueStore port, so the same fixed-window limits hold
 * across instances with Valkey, and within one process with the in-memory store.
 */
type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

export function rateLimitStoreFor(store: KeyValueStore) {
  return class KeyValueRateLimitStore {
    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      const name = keystore.rateLimit(key);
      store
        .increment(name, timeWindow)
        .then(({ count, ttlMs }) => callback(null, { current: count, ttl: ttlMs }))
        .catch((error: Error) => callback(error));
    }

    child(): KeyValueRateLimitStore {
      return this;
    }
  };
}
