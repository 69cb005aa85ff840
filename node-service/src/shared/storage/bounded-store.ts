import { isAppError } from '../errors.js';
import { requestDeadline, unavailable } from '../request-deadline.js';
import type { KeyValueStore } from './key-value.js';

/**
 * The key-value store as requests see it: a command is awaited no longer than the request's deadline
 * leaves (REQUEST_DEADLINE_MS), and a Valkey that is down or gave up answers 503 SERVICE_UNAVAILABLE
 * instead of 500. Giving up on a command is safe here: Valkey holds nothing that must be committed, and
 * the attendance a student is told about is written to PostgreSQL after every Valkey step.
 * Subscriptions are not requests: not bounded, but their failure is told as unavailable too.
 */
export function boundedByDeadline(store: KeyValueStore): KeyValueStore {
  async function bounded<T>(command: () => Promise<T>): Promise<T> {
    const left = requestDeadline.remainingMs();
    if (left !== undefined && left <= 0) throw unavailable('valkey', 'request deadline passed');
    let timer: NodeJS.Timeout | undefined;
    const expired =
      left === undefined
        ? undefined
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(unavailable('valkey', 'request deadline passed waiting for Valkey')), left);
          });
    try {
      const running = command();
      return await (expired ? Promise.race([running, expired]) : running);
    } catch (error) {
      throw isAppError(error) ? error : unavailable('valkey', error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    kind: store.kind,
    get: (key) => bounded(() => store.get(key)),
    set: (key, value, ttlMs) => bounded(() => store.set(key, value, ttlMs)),
    setIfAbsent: (key, value, ttlMs) => bounded(() => store.setIfAbsent(key, value, ttlMs)),
    take: (key) => bounded(() => store.take(key)),
    delete: (...keys) => bounded(() => store.delete(...keys)),
    increment: (key, ttlMs) => bounded(() => store.increment(key, ttlMs)),
    decrement: (key) => bounded(() => store.decrement(key)),
    ttlMs: (key) => bounded(() => store.ttlMs(key)),
    ...(store.runScript ? { runScript: (script, keys, args) => bounded(() => store.runScript!(script, keys, args)) } : {}),
    publish: (channel, message) => bounded(() => store.publish(channel, message)),
    // Not bounded by a deadline, but a SUBSCRIBE refused in an outage is the 503 code too (a projector's
    // subscribe is answered SERVICE_UNAVAILABLE, and asks again), not an unexpected failure.
    subscribe: (channel, handler) =>
      store.subscribe(channel, handler).catch((error: unknown) => {
        throw isAppError(error) ? error : unavailable('valkey', error instanceof Error ? error.message : String(error));
      }),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
