import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/storage/memory-store.js';
import type { Admission, BoundChallenge } from '../application/ports.js';
import { createScanState } from './scan-state.js';

/**
 * The scan's short-lived state on the in-process store with a clock the test moves (no waiting on the real
 * one): how long challenges, nonces and budgets last. Every verdict runs on Valkey (the Lua script) and on
 * this store in test/scan/scan-state.test.ts.
 */
function movingClock(limits: Partial<{ perPhone: number; typedPerPhone: number }> = {}) {
  let clock = 5_000_000;
  const store = createMemoryStore(() => clock);
  const state = createScanState(store, {
    challengeTtlMs: 20_000,
    limits: { perPhone: 30, perNetwork: 100, unprovenPerNetwork: 100, typedPerPhone: 100, typedPerNetwork: 100, ...limits },
    sharing: { policy: 'flag', windowMs: 0, simultaneousMs: 0, confirmedFromMs: 60_000 },
  });
  return { state, advance: (ms: number) => void (clock += ms) };
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

const offer = (challengeId: string, nonce = challengeId, phoneKeyId = 'phone-A'): Admission => ({
  phoneKeyId,
  nonce,
  network: '10.0.0.1',
  typed: false,
  stopsAt: 'offer',
  offer: { challengeId, bound, use: { network: '10.0.0.1', at: 0 }, previousUse: null },
});

describe('scan challenges', () => {
  it('are gone after their time to live (SCAN_CHALLENGE_TTL_SECONDS), not before', async () => {
    const { state, advance } = movingClock();
    await state.admit(offer('early'));
    await state.admit(offer('late'));
    advance(19_999);
    expect(await state.take('early')).toEqual(bound);
    advance(1);
    expect(await state.take('late')).toBeNull();
  });
});

describe('signed challenge requests per phone', () => {
  it('serve each nonce once, for as long as a challenge lives', async () => {
    const { state, advance } = movingClock();
    expect((await state.admit(offer('a', 'n1'))).kind).toBe('offered');
    expect((await state.admit(offer('b', 'n1'))).kind).toBe('replayed');
    // Another phone's nonce is its own.
    expect((await state.admit(offer('c', 'n1', 'phone-B'))).kind).toBe('offered');
    advance(20_000);
    expect((await state.admit(offer('d', 'n1'))).kind).toBe('offered');
  });

  it('allow a phone its budget a minute, then say when to come back; other phones are untouched', async () => {
    const { state, advance } = movingClock({ perPhone: 3 });
    for (const nonce of ['a', 'b', 'c']) expect((await state.admit(offer(nonce))).kind).toBe('offered');
    advance(15_000);
    expect(await state.admit(offer('d'))).toEqual({ kind: 'limited', waitSeconds: 45 });
    expect((await state.admit(offer('e', 'e', 'phone-B'))).kind).toBe('offered');
    advance(45_000);
    expect((await state.admit(offer('f'))).kind).toBe('offered');
  });
});

describe('typed-code attempts per phone', () => {
  it('stop the phone past its budget with the seconds left, for the rest of the minute', async () => {
    const { state, advance } = movingClock({ typedPerPhone: 2 });
    const wrong = (nonce: string): Admission => ({ phoneKeyId: 'phone-A', nonce, network: '10.0.0.1', typed: true, stopsAt: 'code' });
    expect((await state.admit(wrong('a'))).kind).toBe('stopped');
    expect((await state.admit(wrong('b'))).kind).toBe('stopped');
    advance(30_000);
    expect(await state.admit(wrong('c'))).toEqual({ kind: 'limited', waitSeconds: 30 });
    advance(30_000);
    expect((await state.admit(wrong('d'))).kind).toBe('stopped');
  });
});
