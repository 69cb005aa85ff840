import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/storage/memory-store.js';
import type { BoundChallenge } from '../application/ports.js';
import { createScanChallengeStore } from './challenge-store.js';
import { createPhoneRequests } from './phone-requests.js';
import { createTypedCodeAttempts } from './typed-code-failures.js';

/**
 * The scan's short-lived state on the in-process store with a clock the test moves (no waiting on the real
 * one). The same stores run on Valkey in test/scan/.
 */
function movingClock() {
  let clock = 5_000_000;
  return { store: createMemoryStore(() => clock), advance: (ms: number) => void (clock += ms) };
}

const bound: BoundChallenge = {
  challenge: 'chal',
  sessionId: 's1',
  round: 1,
  slot: 42,
  allowedNetworks: [],
  phoneKeyId: 'phone-A',
  devices: [
    {
      deviceId: 7,
      studentId: '2',
      credentialId: 'cred-7',
      publicKey: new Uint8Array([1, 2, 3]),
      signCount: 4,
      transports: ['internal'],
      state: 'active',
      phoneKeyId: 'phone-A',
      phonePublicKey: new Uint8Array([0xa, 0xb]),
      alerts: ['rebound_recently'],
    },
  ],
  network: '10.0.0.0/24',
};

describe('scan challenges', () => {
  it('are taken once, whole (the devices with their keys as bytes)', async () => {
    const challenges = createScanChallengeStore(movingClock().store);
    await challenges.save('id-1', bound, 20_000);
    expect(await challenges.take('id-1')).toEqual(bound);
    expect(await challenges.take('id-1')).toBeNull();
  });

  it('are gone after their time to live (SCAN_CHALLENGE_TTL_SECONDS), not before', async () => {
    const { store, advance } = movingClock();
    const challenges = createScanChallengeStore(store);
    await challenges.save('early', bound, 20_000);
    await challenges.save('late', bound, 20_000);
    advance(19_999);
    expect(await challenges.take('early')).toEqual(bound);
    advance(1);
    expect(await challenges.take('late')).toBeNull();
  });
});

describe('signed challenge requests per phone', () => {
  it('serve each nonce once, for as long as a challenge lives', async () => {
    const { store, advance } = movingClock();
    const requests = createPhoneRequests(store, 30);
    expect(await requests.admit('phone-A', 'n1', 20_000)).toBe('admitted');
    expect(await requests.admit('phone-A', 'n1', 20_000)).toBe('replayed');
    // Another phone's nonce is its own.
    expect(await requests.admit('phone-B', 'n1', 20_000)).toBe('admitted');
    advance(20_000);
    expect(await requests.admit('phone-A', 'n1', 20_000)).toBe('admitted');
  });

  it('allow a phone its budget a minute, then say when to come back; other phones are untouched', async () => {
    const { store, advance } = movingClock();
    const requests = createPhoneRequests(store, 3);
    for (const nonce of ['a', 'b', 'c']) expect(await requests.admit('phone-A', nonce, 20_000)).toBe('admitted');
    advance(15_000);
    expect(await requests.admit('phone-A', 'd', 20_000)).toBe(45);
    expect(await requests.admit('phone-B', 'a', 20_000)).toBe('admitted');
    advance(45_000);
    expect(await requests.admit('phone-A', 'e', 20_000)).toBe('admitted');
  });
});

describe('typed-code attempts per phone, then per network', () => {
  it('count an attempt before the code is looked at, and stop the phone past its budget with the seconds left', async () => {
    const { store, advance } = movingClock();
    const attempts = createTypedCodeAttempts(store, { perPhone: 2, perNetwork: 100 });
    expect(await attempts.begin('phone-A', 'net-1')).toBeNull();
    expect(await attempts.begin('phone-A', 'net-1')).toBeNull();
    advance(30_000);
    expect(await attempts.begin('phone-A', 'net-1')).toBe(30);
    // A classmate on the same network is not stopped by another phone's guesses.
    expect(await attempts.begin('phone-B', 'net-1')).toBeNull();
    advance(30_000);
    expect(await attempts.begin('phone-A', 'net-1')).toBeNull();
  });

  it('stop a network past its ceiling, whichever phones spent it, without charging the phone refused', async () => {
    const attempts = createTypedCodeAttempts(movingClock().store, { perPhone: 2, perNetwork: 3 });
    expect(await attempts.begin('phone-A', 'net-1')).toBeNull();
    expect(await attempts.begin('phone-A', 'net-1')).toBeNull();
    // Past its own budget, phone A adds nothing to the network's count.
    expect(await attempts.begin('phone-A', 'net-1')).not.toBeNull();
    expect(await attempts.begin('phone-B', 'net-1')).toBeNull();
    expect(await attempts.begin('phone-C', 'net-1')).not.toBeNull();
    expect(await attempts.begin('phone-C', 'net-2')).toBeNull();
  });

  it('give a right code its attempt back, so a classroom typing the right code never runs out', async () => {
    const attempts = createTypedCodeAttempts(movingClock().store, { perPhone: 2, perNetwork: 2 });
    for (let student = 0; student < 50; student += 1) {
      expect(await attempts.begin(`phone-${student}`, 'net-1')).toBeNull();
      await attempts.succeeded(`phone-${student}`, 'net-1');
    }
    expect(await attempts.begin('phone-A', 'net-1')).toBeNull();
    expect(await attempts.begin('phone-B', 'net-1')).toBeNull();
    expect(await attempts.begin('phone-C', 'net-1')).not.toBeNull();
  });
});
