import { LRUCache } from 'lru-cache';
import type { Session } from '../domain/session.js';

/**
 * Sessions as read at most `maxAgeMs` ago, for the scan's challenge: a classroom of five hundred asks about
 * the same session at once, and one read serves them all (lru-cache: concurrent misses share one query;
 * at most `maxEntries` sessions kept). A session missing from PostgreSQL is not remembered.
 *
 * What this may say late: an open session's rotation and networks cannot change (edits end when it opens),
 * so only its state and round can be behind. The scan reads the session again before it refuses on what this
 * says (scan.ts), and the confirmation checks state and round again where it records them
 * (attendance.record_confirmations); a round that ended also ends its codes at once (live-codes.ts).
 */
export function createRecentSessions(
  find: (id: string) => Promise<Session | null>,
  options: { maxAgeMs: number; maxEntries: number; now?: () => number },
): (id: string) => Promise<Session | null> {
  if (options.maxAgeMs === 0) return find;
  const cache = new LRUCache<string, Session>({
    max: options.maxEntries,
    ttl: options.maxAgeMs,
    ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
    fetchMethod: async (id) => (await find(id)) ?? undefined,
  });
  return async (id) => (await cache.fetch(id)) ?? null;
}
