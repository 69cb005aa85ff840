import type { KeyValueStore, MessageHandler } from './key-value.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * In-process stand-in for Valkey: TTL expiry, atomic take, set-if-absent and pub/sub inside one process.
 * Single instance only: two processes using it share nothing.
 */
export function createMemoryStore(now: () => number = Date.now): KeyValueStore {
  const entries = new Map<string, Entry>();
  const channels = new Map<string, Set<MessageHandler>>();
  const sweep = setInterval(() => {
    const at = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
  }, 10_000);
  sweep.unref();

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    kind: 'memory',
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expiresAt: now() + ttlMs });
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value, expiresAt: now() + ttlMs });
      return true;
    },
    async take(key) {
      const entry = live(key);
      entries.delete(key);
      return entry?.value ?? null;
    },
    async delete(...keys) {
      let removed = 0;
      for (const key of keys) if (live(key) && entries.delete(key)) removed += 1;
      return removed;
    },
    async increment(key, ttlMs) {
      const entry = live(key);
      const next = (entry ? Number(entry.value) : 0) + 1;
      const expiresAt = entry?.expiresAt ?? now() + ttlMs;
      entries.set(key, { value: String(next), expiresAt });
      return { count: next, ttlMs: expiresAt - now() };
    },
    async decrement(key) {
      const entry = live(key);
      if (entry) entries.set(key, { value: String(Number(entry.value) - 1), expiresAt: entry.expiresAt });
    },
    async ttlMs(key) {
      const entry = live(key);
      return entry ? entry.expiresAt - now() : null;
    },
    async publish(channel, message) {
      // Delivered on a later tick, as a network store would.
      for (const handler of channels.get(channel) ?? []) queueMicrotask(() => handler(message));
    },
    async subscribe(channel, handler) {
      const handlers = channels.get(channel) ?? new Set<MessageHandler>();
      handlers.add(handler);
      channels.set(channel, handlers);
      return async () => {
        // A second call must not remove a later subscriber's channel.
        if (handlers.delete(handler) && handlers.size === 0) channels.delete(channel);
      };
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      entries.clear();
      channels.clear();
    },
  };
}
