import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KeyValueStore } from '../../src/shared/storage/key-value.js';

/** How to open stores of one adapter, and whether two of them share data (two instances, one Valkey). */
export interface KeyValueSubject {
  /** Each call opens a new store, as a second service instance would with the same settings. */
  open(): KeyValueStore;
  sharedAcrossInstances: boolean;
}

const SHORT_TTL_MS = 150;
const LONG_TTL_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects what a channel delivers; `next()` waits (boundedly) for the next message. */
function listener() {
  const received: string[] = [];
  const waiters: Array<() => void> = [];
  return {
    received,
    handler: (message: string) => {
      received.push(message);
      waiters.splice(0).forEach((wake) => wake());
    },
    async until(count: number, timeoutMs = 2000): Promise<string[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} message(s), got ${JSON.stringify(received)}`);
        await Promise.race([new Promise<void>((wake) => waiters.push(wake)), sleep(50)]);
      }
      return received;
    },
  };
}

/**
 * What the rest of the service may rely on from the KeyValueStore port (QR tokens, single-use challenges,
 * rate limits, live counts), whichever adapter runs it.
 */
export function keyValueStoreContract(name: string, subject: KeyValueSubject): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let store: KeyValueStore;
    const opened: KeyValueStore[] = [];
    const open = () => {
      const next = subject.open();
      opened.push(next);
      return next;
    };
    /** A key or channel no other test uses. */
    const fresh = (label: string) => `${label}:${randomUUID()}`;

    beforeAll(() => {
      store = open();
    });
    afterAll(() => Promise.all(opened.map((s) => s.close())));

    describe('values', () => {
      test('a value set is read back; a missing key reads as null', async () => {
        const key = fresh('qr');
        await store.set(key, 'token-ñ-1', LONG_TTL_MS);
        expect(await store.get(key)).toBe('token-ñ-1');
        expect(await store.get(fresh('missing'))).toBeNull();
      });

      test('setting again replaces the value and its TTL', async () => {
        const key = fresh('qr');
        await store.set(key, 'old', SHORT_TTL_MS);
        await store.set(key, 'new', LONG_TTL_MS);
        await sleep(SHORT_TTL_MS * 2);
        expect(await store.get(key)).toBe('new');
      });

      test('a value is gone once its TTL has passed', async () => {
        const key = fresh('qr');
        await store.set(key, 'live code', SHORT_TTL_MS);
        expect(await store.get(key)).toBe('live code');
        await sleep(SHORT_TTL_MS * 2);
        expect(await store.get(key)).toBeNull();
        expect(await store.ttlMs(key)).toBeNull();
      });

      test('ttlMs tells the time left, and null for a missing key', async () => {
        const key = fresh('challenge');
        await store.set(key, 'c', LONG_TTL_MS);
        const left = await store.ttlMs(key);
        expect(left).toBeGreaterThan(LONG_TTL_MS / 2);
        expect(left).toBeLessThanOrEqual(LONG_TTL_MS);
        expect(await store.ttlMs(fresh('missing'))).toBeNull();
      });

      test('delete removes keys and counts only those that existed', async () => {
        const [a, b] = [fresh('a'), fresh('b')];
        await store.set(a, '1', LONG_TTL_MS);
        await store.set(b, '2', LONG_TTL_MS);
        expect(await store.delete(a, b, fresh('missing'))).toBe(2);
        expect(await store.get(a)).toBeNull();
        expect(await store.delete()).toBe(0);
      });
    });

    describe('single use', () => {
      test('setIfAbsent succeeds once among concurrent callers, then again after expiry', async () => {
        const key = fresh('lock');
        const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent(key, `caller-${i}`, SHORT_TTL_MS)));
        const winners = outcomes.flatMap((won, i) => (won ? [i] : []));
        expect(winners).toHaveLength(1);
        expect(await store.get(key)).toBe(`caller-${winners[0]}`);
        await sleep(SHORT_TTL_MS * 2);
        expect(await store.setIfAbsent(key, 'later', SHORT_TTL_MS)).toBe(true);
      });

      test('of 50 concurrent takers, exactly one gets the value', async () => {
        const key = fresh('challenge');
        await store.set(key, 'single-use', LONG_TTL_MS);
        const taken = await Promise.all(Array.from({ length: 50 }, () => store.take(key)));
        expect(taken.filter((value) => value !== null)).toEqual(['single-use']);
        expect(await store.get(key)).toBeNull();
      });

      test('an expired value cannot be taken', async () => {
        const key = fresh('challenge');
        await store.set(key, 'stale', SHORT_TTL_MS);
        await sleep(SHORT_TTL_MS * 2);
        expect(await store.take(key)).toBeNull();
      });
    });

    describe('counters', () => {
      test('count up from 1, concurrent increments included', async () => {
        const key = fresh('hits');
        const values = (await Promise.all(Array.from({ length: 25 }, () => store.increment(key, LONG_TTL_MS)))).map((c) => c.count);
        expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      });

      test('keep the TTL set when the counter was created', async () => {
        const key = fresh('hits');
        await store.increment(key, LONG_TTL_MS);
        expect((await store.increment(key, SHORT_TTL_MS)).count).toBe(2);
        await sleep(SHORT_TTL_MS * 2);
        const third = await store.increment(key, SHORT_TTL_MS);
        expect(third.count).toBe(3);
        // The remaining life comes back with the count, and agrees with ttlMs().
        expect(third.ttlMs).toBeGreaterThan(LONG_TTL_MS / 2);
        expect(third.ttlMs).toBeLessThanOrEqual(LONG_TTL_MS);
        expect(await store.ttlMs(key)).toBeGreaterThan(LONG_TTL_MS / 2);
      });

      test('start over once the window has passed', async () => {
        const key = fresh('hits');
        await store.increment(key, SHORT_TTL_MS);
        expect((await store.increment(key, SHORT_TTL_MS)).count).toBe(2);
        await sleep(SHORT_TTL_MS * 2);
        expect((await store.increment(key, SHORT_TTL_MS)).count).toBe(1);
      });

      test('take one back while the counter lives, keeping its TTL; never bring an expired one back', async () => {
        const key = fresh('hits');
        await store.increment(key, LONG_TTL_MS);
        await store.increment(key, LONG_TTL_MS);
        await store.decrement(key);
        expect((await store.increment(key, SHORT_TTL_MS)).count).toBe(2);
        expect(await store.ttlMs(key)).toBeGreaterThan(LONG_TTL_MS / 2);
        const gone = fresh('hits');
        await store.decrement(gone);
        expect(await store.get(gone)).toBeNull();
      });
    });

    describe('publish and subscribe', () => {
      test('a fresh store takes many subscriptions at once (every projector reconnecting after a restart)', async () => {
        const fresher = open();
        const channels = Array.from({ length: 20 }, () => fresh('burst'));
        const listeners = channels.map(() => listener());
        // Arriving a moment apart, as WebSocket messages do, while the store is still connecting.
        await Promise.all(channels.map((channel, i) => sleep(i % 5).then(() => fresher.subscribe(channel, listeners[i]!.handler))));
        await Promise.all(channels.map((channel) => fresher.publish(channel, 'hello')));
        for (const each of listeners) expect(await each.until(1)).toEqual(['hello']);
      });

      test('deliver to the subscribers of that channel only, in order', async () => {
        const [live, other] = [fresh('live'), fresh('other')];
        const onLive = listener();
        const onOther = listener();
        await store.subscribe(live, onLive.handler);
        await store.subscribe(other, onOther.handler);
        await store.publish(live, 'count:1');
        await store.publish(live, 'count:2');
        await store.publish(other, 'done');
        expect(await onLive.until(2)).toEqual(['count:1', 'count:2']);
        expect(await onOther.until(1)).toEqual(['done']);
      });

      test('every subscriber of a channel gets each message; unsubscribing stops only that one', async () => {
        const channel = fresh('live');
        const [first, second] = [listener(), listener()];
        const stopFirst = await store.subscribe(channel, first.handler);
        await store.subscribe(channel, second.handler);
        await store.publish(channel, 'a');
        await Promise.all([first.until(1), second.until(1)]);
        await stopFirst();
        await store.publish(channel, 'b');
        expect(await second.until(2)).toEqual(['a', 'b']);
        expect(first.received).toEqual(['a']);
      });

      test('after the last subscriber leaves, nothing is delivered', async () => {
        const [channel, sentinel] = [fresh('live'), fresh('sentinel')];
        const gone = listener();
        const watcher = listener();
        const stop = await store.subscribe(channel, gone.handler);
        await store.subscribe(sentinel, watcher.handler);
        await stop();
        await store.publish(channel, 'lost');
        await store.publish(sentinel, 'after');
        await watcher.until(1);
        expect(gone.received).toEqual([]);
      });

      test('subscribers that join at the same moment all receive a message published right after', async () => {
        // A store with no subscription yet, as just after a restart when every projector reconnects at once.
        const starting = open();
        await starting.ping();
        const channel = fresh('live');
        const [first, second] = [listener(), listener()];
        const joining = starting.subscribe(channel, first.handler);
        await starting.subscribe(channel, second.handler);
        await starting.publish(channel, 'hello');
        expect(await second.until(1)).toEqual(['hello']);
        await joining;
        expect(await first.until(1)).toEqual(['hello']);
      });

      test('unsubscribing twice does not cancel a later subscriber', async () => {
        const channel = fresh('live');
        const stopEarly = await store.subscribe(channel, listener().handler);
        await stopEarly();
        const later = listener();
        await store.subscribe(channel, later.handler);
        await stopEarly();
        await store.publish(channel, 'still here');
        expect(await later.until(1)).toEqual(['still here']);
      });
    });

    if (subject.sharedAcrossInstances) {
      describe('two instances on one server', () => {
        test('see each other’s keys', async () => {
          const other = open();
          const key = fresh('qr');
          await store.set(key, 'from instance A', LONG_TTL_MS);
          expect(await other.get(key)).toBe('from instance A');
          expect((await other.increment(fresh('n'), LONG_TTL_MS)).count).toBe(1);
        });

        test('of concurrent takers on both instances, exactly one gets the value', async () => {
          const other = open();
          const key = fresh('challenge');
          await store.set(key, 'single-use', LONG_TTL_MS);
          const taken = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? store : other).take(key)));
          expect(taken.filter((value) => value !== null)).toEqual(['single-use']);
        });

        test('a message published by one reaches subscribers of the other', async () => {
          const other = open();
          const channel = fresh('live');
          const onOther = listener();
          await other.subscribe(channel, onOther.handler);
          await store.publish(channel, 'scan on instance A');
          expect(await onOther.until(1)).toEqual(['scan on instance A']);
        });
      });
    } else {
      describe('two instances (single-instance store)', () => {
        test('share nothing: neither keys nor messages', async () => {
          const other = open();
          const [key, channel] = [fresh('qr'), fresh('live')];
          await store.set(key, 'only here', LONG_TTL_MS);
          expect(await other.get(key)).toBeNull();
          expect(await other.setIfAbsent(key, 'also here', LONG_TTL_MS)).toBe(true);

          const [onStore, onOther] = [listener(), listener()];
          await store.subscribe(channel, onStore.handler);
          await other.subscribe(channel, onOther.handler);
          await other.publish(channel, 'other only');
          await onOther.until(1);
          await store.publish(channel, 'store only');
          expect(await onStore.until(1)).toEqual(['store only']);
          expect(onOther.received).toEqual(['other only']);
        });
      });
    }
  });
}
