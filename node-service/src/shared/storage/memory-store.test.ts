import { afterEach, describe, expect, test } from 'vitest';
import type { KeyValueStore } from './key-value.js';
import { createMemoryStore } from './memory-store.js';

// The in-process store with a hand-driven clock: expiry is checked exactly, without waiting.
// (Its behaviour with real time, side by side with Valkey, is in test/storage/key-value-store.test.ts.)
let clock = 0;
let store: KeyValueStore;

function freshStore(): KeyValueStore {
  clock = 1_000_000;
  store = createMemoryStore(() => clock);
  return store;
}

afterEach(() => store?.close());

describe('the in-process store, by the clock', () => {
  test('a value lives exactly as long as its TTL', async () => {
    const store = freshStore();
    await store.set('qr:current', 'token-1', 3000);
    clock += 2999;
    expect(await store.get('qr:current')).toBe('token-1');
    clock += 1;
    expect(await store.get('qr:current')).toBeNull();
  });

  test('reports the time left, counting down', async () => {
    const store = freshStore();
    await store.set('challenge', 'c', 60_000);
    clock += 15_000;
    expect(await store.ttlMs('challenge')).toBe(45_000);
    expect(await store.ttlMs('missing')).toBeNull();
  });

  test('an expired key can be claimed again with setIfAbsent', async () => {
    const store = freshStore();
    expect(await store.setIfAbsent('lock', 'first', 1000)).toBe(true);
    expect(await store.setIfAbsent('lock', 'second', 1000)).toBe(false);
    clock += 1000;
    expect(await store.setIfAbsent('lock', 'third', 1000)).toBe(true);
    expect(await store.get('lock')).toBe('third');
  });

  test('a counter keeps the TTL it was created with, then starts over', async () => {
    const store = freshStore();
    expect((await store.increment('hits', 60_000)).count).toBe(1);
    clock += 59_000;
    expect((await store.increment('hits', 60_000)).count).toBe(2);
    expect(await store.ttlMs('hits')).toBe(1000);
    clock += 1000;
    expect((await store.increment('hits', 60_000)).count).toBe(1);
  });

  test('an expired value cannot be taken, and does not count as deleted', async () => {
    const store = freshStore();
    await store.set('a', '1', 100);
    await store.set('b', '2', 100);
    clock += 100;
    expect(await store.take('a')).toBeNull();
    expect(await store.delete('a', 'b')).toBe(0);
  });

  test('close forgets every value and every subscriber', async () => {
    const store = freshStore();
    const received: string[] = [];
    await store.set('a', '1', 10_000);
    await store.subscribe('live', (message) => received.push(message));
    await store.close();
    await store.publish('live', 'after close');
    await Promise.resolve();
    expect(await store.get('a')).toBeNull();
    expect(received).toEqual([]);
  });
});
