import { afterAll, describe, expect, it } from 'vitest';
import type { Admission, BoundChallenge, ChallengeToKeep, ScanState } from '../../src/modules/scan/application/ports.js';
import { createScanState, type ScanStateSettings } from '../../src/modules/scan/infrastructure/scan-state.js';
import { keystore } from '../../src/shared/keystore.js';
import type { KeyValueStore } from '../../src/shared/storage/key-value.js';
import { createMemoryStore } from '../../src/shared/storage/memory-store.js';
import { createValkeyStore } from '../../src/shared/storage/valkey-store.js';
import { testKeyPrefix } from '../support/databases.js';
import { VALKEY_URL } from '../support/environment.js';

// Every verdict of the scan's admission (one Lua script on Valkey, its twin on the in-process store), each
// against both: the real Valkey runs the script, so a branch of the Lua that says something else than the
// TypeScript fails here. Windows and TTLs on a clock the test moves: src/modules/scan/infrastructure/scan-state.test.ts.

const stores: Array<[string, KeyValueStore]> = [
  ['Valkey (the script)', createValkeyStore({ url: VALKEY_URL, keyPrefix: testKeyPrefix() })],
  ['the in-process store (its twin)', createMemoryStore()],
];
afterAll(async () => {
  for (const [, store] of stores) await store.close();
});

const LIMITS = { perPhone: 3, perNetwork: 4, unprovenPerNetwork: 1, typedPerPhone: 2, typedPerNetwork: 3 };
const settings = (sharing: Partial<ScanStateSettings['sharing']> = {}): ScanStateSettings => ({
  challengeTtlMs: 20_000,
  limits: LIMITS,
  sharing: { policy: 'flag', windowMs: 300_000, simultaneousMs: 2000, confirmedFromMs: 60_000, ...sharing },
});

let unique = 0;
/** A fresh phone and network each time, so the budgets of one case never touch another's. */
function fresh() {
  unique += 1;
  return { phoneKeyId: `phone-${unique}-${Math.random().toString(36).slice(2)}`, network: `10.${unique % 250}.0.${Math.floor(Math.random() * 250)}` };
}
const bound = (phoneKeyId: string, network: string): BoundChallenge => ({
  challenge: 'chal',
  sessionId: 's1',
  round: 1,
  slot: 42,
  allowedNetworks: [],
  phoneKeyId,
  network,
  devices: [
    {
      deviceId: 7,
      studentId: '2',
      credentialId: 'cred-7',
      publicKey: new Uint8Array([1, 2, 3]),
      signCount: 4,
      transports: ['internal'],
      state: 'active',
      phoneKeyId,
      phonePublicKey: new Uint8Array([0xa, 0xb]),
      alerts: ['rebound_recently'],
    },
  ],
});

function asker(state: ScanState, who = fresh()) {
  let nonces = 0;
  const offer = (network = who.network, previousUse: ChallengeToKeep['previousUse'] = null): Admission => ({
    ...who,
    network,
    nonce: `nonce-${(nonces += 1)}`,
    typed: false,
    stopsAt: 'offer',
    offer: { challengeId: `${who.phoneKeyId}-${nonces}`, bound: bound(who.phoneKeyId, network), use: { network, at: Date.now() }, previousUse },
  });
  return {
    who,
    offer,
    admit: (admission: Admission) => state.admit(admission),
    stop: (stopsAt: 'devices' | 'code' | 'session', typed = false, nonce = `nonce-${(nonces += 1)}`): Admission => ({ ...who, nonce, typed, stopsAt }),
  };
}

describe.each(stores)('the scan admission on %s', (_name, store) => {
  it('offers: the challenge is kept for SCAN_CHALLENGE_TTL_SECONDS and taken once, whole', async () => {
    const state = createScanState(store, settings());
    const phone = asker(state);
    const admission = phone.offer();
    expect(await state.admit(admission)).toEqual({ kind: 'offered', evidence: null });
    const id = admission.stopsAt === 'offer' ? admission.offer.challengeId : '';
    const ttl = await store.ttlMs(keystore.scanChallenge(id));
    expect(ttl).toBeGreaterThan(19_000);
    expect(ttl).toBeLessThanOrEqual(20_000);
    expect(await state.take(id)).toEqual(bound(phone.who.phoneKeyId, phone.who.network));
    expect(await state.take(id)).toBeNull();
  });

  it('serves a nonce once; a replay spends the unproven budget, then waits', async () => {
    const state = createScanState(store, settings());
    const phone = asker(state);
    const first = phone.offer();
    expect((await state.admit(first)).kind).toBe('offered');
    expect(await state.admit(first)).toEqual({ kind: 'replayed', waitSeconds: null });
    const again = await state.admit(first);
    expect(again.kind).toBe('replayed');
    expect(again.kind === 'replayed' && again.waitSeconds).toBeGreaterThan(50);
  });

  it('stops a phone past its budget, and a network past its own, with the seconds left', async () => {
    const state = createScanState(store, settings());
    const phone = asker(state);
    for (let i = 0; i < LIMITS.perPhone; i += 1) expect((await state.admit(phone.offer())).kind).toBe('offered');
    const limited = await state.admit(phone.offer());
    expect(limited).toMatchObject({ kind: 'limited' });
    expect(limited.kind === 'limited' && limited.waitSeconds).toBeGreaterThan(50);
    // Another phone on the same network: the network's budget (4) has one left.
    const classmate = asker(state, { ...fresh(), network: phone.who.network });
    expect((await state.admit(classmate.offer())).kind).toBe('offered');
    expect((await state.admit(classmate.offer())).kind).toBe('limited');
  });

  it('stops where PostgreSQL said, after spending the budgets: no device, a dead code, a session that refuses', async () => {
    const state = createScanState(store, settings());
    const phone = asker(state);
    for (const stopsAt of ['devices', 'code', 'session'] as const) expect(await state.admit(phone.stop(stopsAt))).toEqual({ kind: 'stopped' });
    // Three requests spent the phone's budget of three.
    expect((await state.admit(phone.offer())).kind).toBe('limited');
  });

  it('counts a typed code’s attempt, keeps it for a wrong code and gives it back for a right one', async () => {
    const state = createScanState(store, settings());
    const phone = asker(state);
    const typedFailures = keystore.scanPhoneTypedCodeFailures(phone.who.phoneKeyId);
    expect(await state.admit(phone.stop('session', true))).toEqual({ kind: 'stopped' });
    expect(await store.get(typedFailures)).toBe('0');
    expect(await state.admit(phone.stop('code', true))).toEqual({ kind: 'stopped' });
    expect(await state.admit(phone.stop('code', true))).toEqual({ kind: 'stopped' });
    // Two wrong codes: the phone's typed budget (2) is spent.
    expect((await state.admit({ ...phone.offer(), typed: true })).kind).toBe('limited');
    // A phone with no active device is not asked for its typed code.
    const revoked = asker(state);
    expect(await state.admit(revoked.stop('devices', true))).toEqual({ kind: 'stopped' });
    expect(await store.get(keystore.scanPhoneTypedCodeFailures(revoked.who.phoneKeyId))).toBeNull();
  });

  it('stops a network past its typed ceiling without charging the phone refused', async () => {
    const state = createScanState(store, settings());
    const network = fresh().network;
    for (let i = 0; i < LIMITS.typedPerNetwork; i += 1) expect(await state.admit(asker(state, { ...fresh(), network }).stop('code', true))).toEqual({ kind: 'stopped' });
    const late = asker(state, { ...fresh(), network });
    expect((await state.admit(late.stop('code', true))).kind).toBe('limited');
    expect(await store.get(keystore.scanPhoneTypedCodeFailures(late.who.phoneKeyId))).toBe('0');
  });

  it('tells two at once (flagged: both offered, the second carries the alert) and two places', async () => {
    const state = createScanState(store, settings());
    const phone = asker(state);
    expect(await state.admit(phone.offer())).toEqual({ kind: 'offered', evidence: null });
    const second = phone.offer();
    const verdict = await state.admit(second);
    expect(verdict).toMatchObject({ kind: 'offered', evidence: { kind: 'two_at_once' } });
    const taken = await state.take(second.stopsAt === 'offer' ? second.offer.challengeId : '');
    expect(taken?.devices[0]?.alerts).toEqual(['rebound_recently', 'shared_device']);
    await state.answered(phone.who.phoneKeyId);
    const previousUse = await state.lastUse(phone.who.phoneKeyId);
    expect(previousUse?.network).toBe(phone.who.network);
    expect(await state.admit(phone.offer('192.0.2.1', previousUse))).toMatchObject({ kind: 'offered', evidence: { kind: 'two_places' } });
  });

  it('under SHARING_POLICY=refuse refuses the second use and keeps no trace of it', async () => {
    const state = createScanState(store, settings({ policy: 'refuse' }));
    const phone = asker(state);
    expect((await state.admit(phone.offer())).kind).toBe('offered');
    expect(await state.admit(phone.offer())).toMatchObject({ kind: 'shared', evidence: { kind: 'two_at_once' } });
    await state.answered(phone.who.phoneKeyId);
    const previousUse = await state.lastUse(phone.who.phoneKeyId);
    const elsewhere = phone.offer('192.0.2.1', previousUse);
    expect(await state.admit(elsewhere)).toMatchObject({ kind: 'shared', evidence: { kind: 'two_places' } });
    // Neither the marker nor the latest use of the refused request stayed: the first place goes on.
    expect(await store.get(keystore.scanPhoneAsking(phone.who.phoneKeyId))).toBeNull();
    expect((await state.lastUse(phone.who.phoneKeyId))?.network).toBe(phone.who.network);
    expect(await store.get(keystore.scanChallenge(elsewhere.stopsAt === 'offer' ? elsewhere.offer.challengeId : ''))).toBeNull();
  });

  it('answered: the marker goes, a confirmation’s place is kept and a second from elsewhere is evidence', async () => {
    const state = createScanState(store, settings());
    const phone = asker(state);
    await state.admit(phone.offer());
    const key = { sessionId: `s-${phone.who.phoneKeyId}`, round: 1, studentId: '2' };
    expect(await state.answered(phone.who.phoneKeyId, { key, use: { network: phone.who.network, at: 1 }, outcome: 'confirmed' })).toBeNull();
    expect(await store.get(keystore.scanPhoneAsking(phone.who.phoneKeyId))).toBeNull();
    expect(await state.answered(phone.who.phoneKeyId, { key, use: { network: phone.who.network, at: 2 }, outcome: 'already_confirmed' })).toBeNull();
    expect(await state.answered(phone.who.phoneKeyId, { key, use: { network: '192.0.2.1', at: 3 }, outcome: 'already_confirmed' })).toMatchObject({ kind: 'confirmed_twice' });
  });

  it('unproven: a network’s small budget for requests no enrolled phone signed', async () => {
    const state = createScanState(store, settings());
    const { network } = fresh();
    expect(await state.unproven(network)).toBeNull();
    expect(await state.unproven(network)).toBeGreaterThan(50);
  });
});
