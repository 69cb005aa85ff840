import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KeyValueStore } from '../../src/shared/storage/key-value.js';
import { createValkeyStore } from '../../src/shared/storage/valkey-store.js';
import { startOwnValkey, type OwnValkey } from '../support/valkey-server.js';

/**
 * The Valkey adapter's subscriptions across an outage, against a redis-server of this test's own, killed
 * and restarted empty: a SUBSCRIBE refused while it is down is forgotten (the next one is sent afresh), and
 * every channel with a listener is subscribed again after the reconnection. Checked without the adapter's
 * forgetting: the first test fails every time. Without its own resubscription on `ready`, the second failed
 * once in seven runs: ioredis resubscribes acknowledged channels by itself, the adapter's pass also covers
 * the timing ioredis misses.
 */
let valkey: OwnValkey;
let store: KeyValueStore;

beforeAll(async () => {
  valkey = await startOwnValkey();
  store = createValkeyStore({ url: valkey.url, keyPrefix: 'outage:' });
});
afterAll(async () => {
  await store?.close();
  await valkey?.stop();
});

/** Publishes until `received` has a message (a resubscription lands a moment after the reconnection). */
async function heard(channel: string, received: string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (received.length === 0) {
    if (Date.now() > deadline) throw new Error(`nothing heard on ${channel} within ${timeoutMs} ms`);
    await store.publish(channel, 'hello').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Valkey subscriptions across an outage', () => {
  test('a SUBSCRIBE refused while Valkey is down is forgotten; the next one works once it is back', async () => {
    await store.ping();
    await valkey.kill();
    await expect(store.subscribe('refused', () => undefined)).rejects.toThrow();
    await valkey.start();
    const received: string[] = [];
    const stop = await store.subscribe('refused', (message) => received.push(message));
    await heard('refused', received);
    await stop();
  }, 30_000);

  test('channels subscribed before the outage, and one subscribing as it began, are heard again after it', async () => {
    const before: string[] = [];
    const stopBefore = await store.subscribe('before', (message) => before.push(message));
    await valkey.kill();
    const during: string[] = [];
    // Its SUBSCRIBE waits in the offline queue; it succeeds if Valkey returns in time.
    const subscribing = store.subscribe('during', (message) => during.push(message));
    await valkey.start();
    const stopDuring = await subscribing;
    await heard('before', before);
    await heard('during', during);
    await Promise.all([stopBefore(), stopDuring()]);
  }, 30_000);
});
