import { describe, expect, test } from 'vitest';
import { AppError } from '../errors.js';
import { requestDeadline } from '../request-deadline.js';
import { boundedByDeadline } from './bounded-store.js';
import { createMemoryStore } from './memory-store.js';
import type { KeyValueStore } from './key-value.js';

// Tiny fakes: the in-process store, with one command that never answers and one that fails as ioredis does.
function flakyStore(): KeyValueStore {
  const store = createMemoryStore();
  return {
    ...store,
    get: () => new Promise<string | null>(() => undefined),
    take: async () => {
      throw new Error('Reached the max retries per request limit (which is 2).');
    },
  };
}

const inRequest = <T>(deadlineMs: number, work: () => Promise<T>) => requestDeadline.run(Date.now(), deadlineMs, work).result;

describe('the store as requests see it', () => {
  test('a command that waits past the request deadline answers SERVICE_UNAVAILABLE (503)', async () => {
    const store = boundedByDeadline(flakyStore());
    await expect(inRequest(30, () => store.get('k'))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', kind: 'unavailable' });
  });

  test('a Valkey failure is SERVICE_UNAVAILABLE, not an internal error', async () => {
    const store = boundedByDeadline(flakyStore());
    const failure = await inRequest(1000, () => store.take('k')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'SERVICE_UNAVAILABLE', vars: { part: 'valkey' } });
  });

  test('commands that answer in time pass through; outside a request nothing is bounded', async () => {
    const store = boundedByDeadline(createMemoryStore());
    await inRequest(1000, () => store.set('k', 'v', 1000));
    expect(await store.get('k')).toBe('v');
  });
});
