import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { createMemoryStore } from '../../src/shared/storage/memory-store.js';
import { createValkeyStore } from '../../src/shared/storage/valkey-store.js';
import { testKeyPrefix } from '../support/databases.js';
import { VALKEY_URL } from '../support/environment.js';
import { keyValueStoreContract } from './key-value-contract.js';

// One contract, two adapters: Valkey shared by every instance, and the in-process store for one instance.

const prefix = testKeyPrefix();

keyValueStoreContract('Valkey', {
  open: () => createValkeyStore({ url: VALKEY_URL, keyPrefix: prefix }),
  sharedAcrossInstances: true,
});

keyValueStoreContract('in-process store', {
  open: () => createMemoryStore(),
  sharedAcrossInstances: false,
});

describe('Valkey keys and channels carry the configured prefix', () => {
  const raw = new Redis(VALKEY_URL);
  const store = createValkeyStore({ url: VALKEY_URL, keyPrefix: prefix });
  afterAll(async () => {
    await store.close();
    await raw.quit();
  });

  test('a key is stored under the prefix, and only there', async () => {
    const key = `qr:${randomUUID()}`;
    await store.set(key, 'token', 60_000);
    expect(await raw.get(`${prefix}${key}`)).toBe('token');
    expect(await raw.exists(key)).toBe(0);
  });

  test('a store with another prefix sees none of its keys', async () => {
    const key = `qr:${randomUUID()}`;
    const neighbour = createValkeyStore({ url: VALKEY_URL, keyPrefix: testKeyPrefix() });
    try {
      await store.set(key, 'ours', 60_000);
      expect(await neighbour.get(key)).toBeNull();
    } finally {
      await neighbour.close();
    }
  });

  test('a message is published on the prefixed channel', async () => {
    const channel = `live:${randomUUID()}`;
    const subscriber = new Redis(VALKEY_URL);
    try {
      const received = new Promise<[string, string]>((resolve) => subscriber.once('message', (c: string, m: string) => resolve([c, m])));
      await subscriber.subscribe(`${prefix}${channel}`);
      await store.publish(channel, 'count:1');
      expect(await received).toEqual([`${prefix}${channel}`, 'count:1']);
    } finally {
      await subscriber.quit();
    }
  });
});
