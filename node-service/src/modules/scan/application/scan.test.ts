import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import { keystore } from '../../../shared/keystore.js';
import { phoneKeyMessage } from '../../../shared/phone-key.js';
import { createMemoryStore } from '../../../shared/storage/memory-store.js';
import { createScanState } from '../infrastructure/scan-state.js';
import { createScanService } from './scan.js';
import type { BoundChallenge, ScanDevice, ScanSession, ScanState } from './ports.js';

/**
 * The scan's rules with tiny fakes: no database, the in-process store for Valkey, no real signatures (a fake
 * check that accepts exactly the bytes the phone "signed"). The same rules run against the real parts in
 * test/scan/.
 */
const PERIOD = 3000;
const session: ScanSession = {
  id: 's1',
  courseName: 'Cálculo I',
  room: 'A1',
  state: 'open',
  currentRound: 1,
  rotationPeriodMs: PERIOD,
  graceMs: PERIOD,
  allowedNetworks: [],
};
const device = (overrides: Partial<ScanDevice> = {}): ScanDevice => ({
  deviceId: 7,
  studentId: '2',
  credentialId: 'cred-7',
  publicKey: new Uint8Array([1]),
  signCount: 0,
  transports: ['internal'],
  state: 'active',
  phoneKeyId: 'phone-A',
  phonePublicKey: new Uint8Array([0xa]),
  alerts: [],
  ...overrides,
});

/** A signature is the message itself, prefixed by the key: the fake check accepts exactly that. */
const signBy = (key: Uint8Array, message: Uint8Array) => new Uint8Array([...key, ...message]);

function harness(options: { devices?: ScanDevice[]; at?: number; slowLookupMs?: number; recentSession?: ScanSession } = {}) {
  const devices = options.devices ?? [device()];
  const challenges = new Map<string, BoundChallenge>();
  const recorded: unknown[] = [];
  const attempts: Array<{ sessionId: string; studentId: string; code: string }> = [];
  let clock = options.at ?? 10 * PERIOD;
  const store = createMemoryStore(() => clock);
  const limits = { perPhone: 100, perNetwork: 100, unprovenPerNetwork: 100, typedPerPhone: 100, typedPerNetwork: 100 };
  const real = createScanState(store, { challengeTtlMs: 20_000, limits, sharing: { policy: 'flag', windowMs: 0, simultaneousMs: 0, confirmedFromMs: 60_000 } });
  // The challenges kept, as the scan bound them.
  const state: ScanState = {
    ...real,
    admit: async (admission) => {
      if (admission.stopsAt === 'offer') challenges.set(admission.offer.challengeId, admission.offer.bound);
      return real.admit(admission);
    },
  };
  let sessionLookups = 0;
  let recentLookups = 0;
  let credentialLookups = 0;
  const scan = createScanService({
    liveCodes: {
      claimOf: async (token) => (token === 'live' ? { sessionId: 's1', round: 1, slot: 10 } : null),
      claimOfTyped: async () => null,
      tokenLive: (claim, _rotation, at = clock) => Math.floor(at! / PERIOD) - claim.slot <= 0,
      typedLive: () => false,
    },
    sessions: {
      find: async () => {
        sessionLookups += 1;
        clock += options.slowLookupMs ?? 0; // a slow database: the code may expire while the request waits
        return session;
      },
      recent: async () => {
        recentLookups += 1;
        return options.recentSession ?? session;
      },
    },
    state,
    ceremony: {
      options: async (_ttl, allowed) => ({ options: { allow: allowed.map((d) => d.credentialId) }, challenge: 'chal' }),
      verify: async () => ({ newCounter: 0, backedUp: false, userHandle: null }),
    },
    credentials: {
      boundToPhone: async (id) => devices.filter((d) => d.phoneKeyId === id),
      byCredentialId: async (id) => (credentialLookups += 1, devices.find((d) => d.credentialId === id) ?? null),
      flag: async () => true,
      alertShared: async () => undefined,
      studentIdFromUserHandle: () => null,
    },
    phoneSignatureValid: (key, message, signature) => Buffer.from(signBy(key, message)).equals(Buffer.from(signature)),
    confirmations: {
      record: async (request) => (recorded.push(request), { outcome: 'confirmed' as const, walkIn: false, round: 1, session: { id: 's1', courseName: 'x', room: 'y' } }),
      addAlert: async () => undefined,
      noteAttempt: async (key, code) => void attempts.push({ ...key, code }),
    },
    receipts: { document: (evidence) => ({ challengeId: evidence.challengeId }) },
    settings: { challengeTtlMs: 20_000, sharingPolicy: 'flag', campusNetworks: [] },
    now: () => clock,
  });
  const proof = (nonce = 'nonce-0000000001', key = new Uint8Array([0xa]), keyId = 'phone-A', signed = 'live') => ({
    keyId,
    nonce,
    signature: signBy(key, phoneKeyMessage('scan-challenge', signed, nonce)),
  });
  const lifetime = (challengeId: string) => store.ttlMs(keystore.scanChallenge(challengeId));
  return { scan, proof, recorded, attempts, challenges, lifetime, lookups: () => sessionLookups, recentLookups: () => recentLookups, credentialLookups: () => credentialLookups };
}

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('asking for a challenge', () => {
  it('names only the passkeys bound to the phone that asked, and binds the challenge to its network', async () => {
    const h = harness({ devices: [device(), device({ deviceId: 8, credentialId: 'cred-8', phoneKeyId: 'phone-B' })] });
    const offer = await h.scan.challenge({ token: 'live', phone: h.proof(), clientAddress: '10.0.0.5' });
    expect(offer.options).toEqual({ allow: ['cred-7'] });
    expect(h.challenges.get(offer.challengeId)).toMatchObject({ phoneKeyId: 'phone-A', devices: [{ deviceId: 7 }], network: '10.0.0.5' });
  });

  it('gives the challenge the time to live of the setting, and says so (the store forgets it after: scan-state.test.ts)', async () => {
    const h = harness();
    const offer = await h.scan.challenge({ token: 'live', phone: h.proof(), clientAddress: null });
    expect(await h.lifetime(offer.challengeId)).toBe(20_000);
    expect(offer.expiresInSeconds).toBe(20);
  });

  it('refuses an unknown phone, a bad signature and a replayed nonce', async () => {
    const h = harness();
    expect(await refusal(h.scan.challenge({ token: 'live', phone: h.proof('nonce-0000000001', new Uint8Array([0xa]), 'phone-Z'), clientAddress: null }))).toBe('SCAN_PHONE_UNKNOWN');
    expect(await refusal(h.scan.challenge({ token: 'live', phone: h.proof('nonce-0000000001', new Uint8Array([0xb])), clientAddress: null }))).toBe('SCAN_PHONE_SIGNATURE_INVALID');
    expect(await refusal(h.scan.challenge({ token: 'live', phone: h.proof('nonce-0000000001', undefined, undefined, 'other-token'), clientAddress: null }))).toBe('SCAN_PHONE_SIGNATURE_INVALID');
    await h.scan.challenge({ token: 'live', phone: h.proof(), clientAddress: null });
    expect(await refusal(h.scan.challenge({ token: 'live', phone: h.proof(), clientAddress: null }))).toBe('SCAN_PHONE_REQUEST_REPLAYED');
    // No student is named by an unknown phone or a bad signature, and a replay may not be theirs: nothing for the roster.
    expect(h.attempts).toEqual([]);
  });

  it('notes a blocked key’s refusal for the teacher’s roster, with the session the student scanned', async () => {
    const h = harness({ devices: [device({ state: 'flagged' })] });
    expect(await refusal(h.scan.challenge({ token: 'live', phone: h.proof(), clientAddress: null }))).toBe('SCAN_DEVICE_FLAGGED');
    expect(h.attempts).toEqual([{ sessionId: 's1', studentId: '2', code: 'SCAN_DEVICE_FLAGGED' }]);
  });

  it('says revoked or blocked when the phone has no active passkey left', async () => {
    expect(await refusal(harness({ devices: [device({ state: 'revoked' })] }).scan.challenge({ token: 'live', phone: harness().proof(), clientAddress: null }))).toBe('SCAN_DEVICE_REVOKED');
    expect(await refusal(harness({ devices: [device({ state: 'flagged' })] }).scan.challenge({ token: 'live', phone: harness().proof(), clientAddress: null }))).toBe('SCAN_DEVICE_FLAGGED');
  });

  it('judges the code at the moment the request arrived, not after a slow lookup', async () => {
    const h = harness({ slowLookupMs: 5 * PERIOD, recentSession: { ...session, state: 'scheduled', currentRound: null } });
    await expect(h.scan.challenge({ token: 'live', phone: h.proof(), clientAddress: null })).resolves.toMatchObject({ session: { round: 1 } });
    expect(h.lookups()).toBe(1);
  });

  it('judges a code on the session read a moment ago, without reading it again', async () => {
    const h = harness();
    await h.scan.challenge({ token: 'live', phone: h.proof(), clientAddress: null });
    expect([h.recentLookups(), h.lookups()]).toEqual([1, 0]);
  });

  it('reads the session afresh before refusing on what a recent read says (a round started since, on another instance)', async () => {
    const behind = harness({ recentSession: { ...session, state: 'scheduled', currentRound: null } });
    await expect(behind.scan.challenge({ token: 'live', phone: behind.proof(), clientAddress: null })).resolves.toMatchObject({ session: { round: 1 } });
    expect(behind.lookups()).toBe(1);
    const closed = harness({ recentSession: { ...session, state: 'closed', currentRound: null } });
    await expect(closed.scan.challenge({ token: 'live', phone: closed.proof(), clientAddress: null })).resolves.toMatchObject({ session: { round: 1 } });
  });
});

describe('confirming', () => {
  async function offered(h: ReturnType<typeof harness>, address = '10.0.0.5') {
    return h.scan.challenge({ token: 'live', phone: h.proof(), clientAddress: address });
  }
  const confirmSignature = (challengeId: string, key = new Uint8Array([0xa])) => signBy(key, phoneKeyMessage('scan-confirm', challengeId, 'chal'));

  it('records the confirmation with the device’s alerts, the student from the device row', async () => {
    const h = harness({ devices: [device({ alerts: ['rebound_recently'] })] });
    const offer = await offered(h);
    await h.scan.confirm({ challengeId: offer.challengeId, credentialId: 'cred-7', response: {}, phoneSignature: confirmSignature(offer.challengeId), clientAddress: '10.0.0.5' });
    expect(h.recorded).toEqual([expect.objectContaining({ studentId: '2', deviceId: 7, alerts: ['rebound_recently'], receipt: { challengeId: offer.challengeId } })]);
    // The device rows came with the challenge: a confirmation does not read them again.
    expect(h.credentialLookups()).toBe(0);
  });

  it('tells a passkey nobody enrolled from one enrolled on another phone', async () => {
    const h = harness({ devices: [device(), device({ deviceId: 9, credentialId: 'cred-9', studentId: '3', phoneKeyId: 'phone-B', phonePublicKey: new Uint8Array([0xb]) })] });
    const first = await offered(h);
    expect(await refusal(h.scan.confirm({ challengeId: first.challengeId, credentialId: 'cred-unknown', response: {}, phoneSignature: confirmSignature(first.challengeId), clientAddress: '10.0.0.5' }))).toBe('SCAN_DEVICE_NOT_ENROLLED');
    const second = await h.scan.challenge({ token: 'live', phone: h.proof('nonce-0000000002'), clientAddress: '10.0.0.5' });
    expect(await refusal(h.scan.confirm({ challengeId: second.challengeId, credentialId: 'cred-9', response: {}, phoneSignature: confirmSignature(second.challengeId), clientAddress: '10.0.0.5' }))).toBe('SCAN_WRONG_PHONE');
    expect(h.recorded).toEqual([]);
  });

  it('refuses another network, a passkey of another phone, and a phone signature over another challenge', async () => {
    const h = harness({ devices: [device(), device({ deviceId: 9, credentialId: 'cred-9', studentId: '3', phoneKeyId: 'phone-B', phonePublicKey: new Uint8Array([0xb]) })] });
    const relayed = await offered(h);
    expect(await refusal(h.scan.confirm({ challengeId: relayed.challengeId, credentialId: 'cred-7', response: {}, phoneSignature: confirmSignature(relayed.challengeId), clientAddress: '192.0.2.1' }))).toBe('SCAN_NETWORK_CHANGED');
    const copied = await h.scan.challenge({ token: 'live', phone: h.proof('nonce-0000000002'), clientAddress: '10.0.0.5' });
    expect(await refusal(h.scan.confirm({ challengeId: copied.challengeId, credentialId: 'cred-9', response: {}, phoneSignature: confirmSignature(copied.challengeId), clientAddress: '10.0.0.5' }))).toBe('SCAN_WRONG_PHONE');
    const moved = await h.scan.challenge({ token: 'live', phone: h.proof('nonce-0000000003'), clientAddress: '10.0.0.5' });
    expect(await refusal(h.scan.confirm({ challengeId: moved.challengeId, credentialId: 'cred-7', response: {}, phoneSignature: confirmSignature('another-challenge'), clientAddress: '10.0.0.5' }))).toBe('SCAN_PHONE_SIGNATURE_INVALID');
    expect(h.recorded).toEqual([]);
    // Each refusal named the phone's student in session s1: the roster shows the latest.
    expect(h.attempts.map((a) => `${a.sessionId}/${a.studentId}/${a.code}`)).toEqual(['s1/2/SCAN_NETWORK_CHANGED', 's1/2/SCAN_WRONG_PHONE', 's1/2/SCAN_PHONE_SIGNATURE_INVALID']);
  });
});
