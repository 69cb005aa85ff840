import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/storage/memory-store.js';
import { createChallengeStore } from './challenge-store.js';

/**
 * The enrolment challenge's life on the in-process store with a clock the test moves: no waiting on the
 * real clock for a challenge to expire. The same store runs on Valkey in test/enrollment/.
 */
const TTL_MS = 60_000;

function challenges(purpose: 'enroll' | 'rebind' = 'enroll') {
  let clock = 1_000_000;
  const store = createMemoryStore(() => clock);
  return {
    store,
    challenges: createChallengeStore(store, TTL_MS, purpose),
    advance: (ms: number) => void (clock += ms),
  };
}

describe('enrolment challenges', () => {
  it('accepts the pending challenge once; the second use is already used', async () => {
    const { challenges: store } = challenges();
    await store.issue('2', 'c1');
    expect(await store.consume('2', 'c1')).toBe('accepted');
    expect(await store.consume('2', 'c1')).toBe('already_used');
  });

  it('refuses a challenge issued to another student, and spends it: its owner cannot use it after', async () => {
    const { challenges: store } = challenges();
    await store.issue('2', 'c1');
    expect(await store.consume('3', 'c1')).toBe('not_yours');
    await store.issue('3', 'c3');
    // Student 3 tried with c1 while their own c3 was pending: c3 was taken by that attempt.
    expect(await store.consume('3', 'c1')).toBe('not_yours');
    expect(await store.consume('3', 'c3')).toBe('already_used');
    expect(await store.consume('2', 'c1')).toBe('accepted');
  });

  it('says superseded when a newer challenge replaced it', async () => {
    const { challenges: store } = challenges();
    await store.issue('2', 'old');
    await store.issue('2', 'new');
    expect(await store.consume('2', 'old')).toBe('superseded');
    // That attempt took the pending one: a challenge buys one attempt, good or bad.
    expect(await store.consume('2', 'new')).toBe('already_used');
  });

  it('expires after its time to live, and not before', async () => {
    const early = challenges();
    await early.challenges.issue('2', 'c1');
    early.advance(TTL_MS - 1);
    expect(await early.challenges.consume('2', 'c1')).toBe('accepted');

    const late = challenges();
    await late.challenges.issue('2', 'c1');
    late.advance(TTL_MS);
    expect(await late.challenges.consume('2', 'c1')).toBe('expired');
  });

  it('keeps enrolment and re-binding challenges apart', async () => {
    const enroll = challenges('enroll');
    const rebind = createChallengeStore(enroll.store, TTL_MS, 'rebind');
    await enroll.challenges.issue('2', 'c1');
    expect(await rebind.consume('2', 'c1')).toBe('expired');
    expect(await enroll.challenges.consume('2', 'c1')).toBe('accepted');
  });
});
