import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import { phoneKeyMessage } from '../../../shared/phone-key.js';
import type { Device, NewCredential } from '../domain/device.js';
import type { EnrollmentPolicy, Standing } from '../domain/policy.js';
import type { AuditEntry, ChallengeOutcome, DeviceRepository, EnrollInput, RegistrationResponse } from './ports.js';
import { createRegistrationService } from './registration.js';

/**
 * Enrolment's order of checks with tiny fakes (no database, no Valkey, no WebAuthn library); the real
 * parts run in test/enrollment/. The phone key is a real P-256 key: its proof is plain crypto.
 */
const NOW = new Date('2026-03-02T12:00:00Z');
const policy: EnrollmentPolicy = {
  maxDevices: 1,
  cooldownMs: [0, 60 * 60_000],
  attestation: 'none',
  aaguidAllowlist: undefined,
  sharedPhone: 'refuse',
  syncedPasskeys: 'allow',
  rebindCooldownMs: 60 * 60_000,
  rebindsBeforeFlag: 3,
};

function phoneKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return {
    proofFor: (challenge: string) => ({
      publicKey: spki,
      signature: new Uint8Array(sign('sha256', phoneKeyMessage('enroll', challenge), { key: privateKey, dsaEncoding: 'ieee-p1363' })),
    }),
  };
}

/** A response is only the challenge it answers and the credential it makes, as far as these fakes go. */
const response = (challenge: string, credentialId = `cred-${challenge}`) =>
  ({ id: credentialId, challenge }) as unknown as RegistrationResponse;

function harness(options: { policy?: Partial<EnrollmentPolicy>; standing?: Partial<Standing> } = {}) {
  const stored: Array<Device & { phoneKeyId: string }> = [];
  const audits: AuditEntry[] = [];
  const calls: string[] = [];
  const pending = new Map<string, string>();
  const spent = new Set<string>();
  let issued = 0;
  const standingOf = (studentId: string): Standing => ({
    devicesInUse: stored.filter((d) => d.studentId === studentId).length,
    enrollmentsSinceReset: stored.filter((d) => d.studentId === studentId).length,
    lastEnrolledAt: stored.filter((d) => d.studentId === studentId).at(-1)?.createdAt ?? null,
    ...options.standing,
  });
  const devices = {
    standing: async (studentId: string) => standingOf(studentId),
    listByStudent: async (studentId: string) => stored.filter((d) => d.studentId === studentId),
    audit: async (entry: AuditEntry) => void audits.push(entry),
    async enroll(input: EnrollInput, decide: Parameters<DeviceRepository['enroll']>[1]) {
      const sharedWith = [...new Set(stored.filter((d) => d.phoneKeyId === input.phoneKey.id && d.studentId !== input.studentId).map((d) => d.studentId))];
      const { alerts } = decide({ standing: standingOf(input.studentId), sharedWith });
      const device = { id: stored.length + 1, studentId: input.studentId, name: input.name, credentialId: input.credential.credentialId, phoneKeyId: input.phoneKey.id, createdAt: NOW, state: 'active', alerts } as unknown as Device & { phoneKeyId: string };
      stored.push(device);
      return device;
    },
  } as unknown as DeviceRepository;
  const service = createRegistrationService({
    devices,
    challenges: {
      issue: async (studentId, challenge) => void pending.set(studentId, challenge),
      async consume(studentId, challenge): Promise<ChallengeOutcome> {
        calls.push('consume');
        const current = pending.get(studentId);
        pending.delete(studentId);
        if (current === challenge) return (spent.add(challenge), 'accepted');
        return spent.has(challenge) ? 'already_used' : 'expired';
      },
    },
    ceremony: {
      async options(input) {
        calls.push('options');
        issued += 1;
        return { challenge: `chal-${issued}`, excludeCredentials: input.exclude.map((e) => ({ id: e.credentialId, type: 'public-key' })) } as never;
      },
      challengeOf: (r) => (r as unknown as { challenge: string }).challenge,
      async verify(r): Promise<NewCredential> {
        calls.push('verify');
        return { credentialId: r.id, publicKey: new Uint8Array([1]), signCount: 0, transports: ['internal'], aaguid: '00000000-0000-0000-0000-000000000000', backupEligible: false, backedUp: false, attestation: { format: 'none', verified: false } };
      },
    },
    policy: { ...policy, ...options.policy },
    // A device in use is proven by its passkey before another is added: here every proof fails.
    proofs: {
      challenges: { issue: async () => undefined, consume: async () => 'expired' as const },
      assertions: { options: async () => ({ options: {}, challenge: 'proof' }), verify: async () => ({ ok: false as const, reason: 'invalid' as const }) },
      challengeTtlMs: 60_000,
    },
    now: () => NOW,
  });
  return { service, stored, audits, calls };
}

/** The coded refusal a promise ends in. */
const refusedWith = (work: Promise<unknown>, code: string) => expect(work).rejects.toSatisfy((error) => isAppError(error) && error.code === code);

const ana = { id: '2', name: 'Ana' };
const luis = { id: '3', name: 'Luis' };

describe('beginning an enrolment', () => {
  it('checks the policy before asking the phone for anything', async () => {
    const full = harness({ standing: { devicesInUse: 1 } });
    await refusedWith(full.service.begin(ana), 'ENROLLMENT_DEVICE_LIMIT_REACHED');
    const waiting = harness({ standing: { enrollmentsSinceReset: 1, lastEnrolledAt: new Date(NOW.getTime() - 10 * 60_000) } });
    await refusedWith(waiting.service.begin(ana), 'ENROLLMENT_COOLDOWN_ACTIVE');
    expect([...full.calls, ...waiting.calls]).toEqual([]);
  });
});

describe('adding a device while one is in use', () => {
  it('needs the passkey of one in use: the portal sign-in alone is refused and audited', async () => {
    const { service, stored, audits } = harness({ policy: { maxDevices: 2, cooldownMs: [0] } });
    const first = await service.begin(ana);
    await service.finish(ana, response(first.challenge), phoneKey().proofFor(first.challenge), undefined);
    await refusedWith(service.begin(ana), 'ENROLLMENT_PASSKEY_REQUIRED_TO_ADD');
    expect(audits.map((a) => [a.action, a.reason, a.details])).toEqual([['refused', 'passkey_required', { attempt: 'enroll' }]]);
    await refusedWith(service.begin(ana, { id: 'x', response: { clientDataJSON: Buffer.from(JSON.stringify({ challenge: 'proof' })).toString('base64url') } }), 'ENROLLMENT_CHALLENGE_EXPIRED');
    expect(stored).toHaveLength(1);
  });
});

describe('finishing an enrolment', () => {
  it('spends the challenge before verifying: one attempt per challenge, good or bad', async () => {
    const { service, calls, stored } = harness({ policy: { maxDevices: 2 } });
    const phone = phoneKey();
    const { challenge } = await service.begin(ana);
    await service.finish(ana, response(challenge), phone.proofFor(challenge), 'Mi teléfono');
    await refusedWith(service.finish(ana, response(challenge, 'cred-again'), phone.proofFor(challenge), undefined), 'ENROLLMENT_CHALLENGE_ALREADY_USED');
    await refusedWith(service.finish(ana, response('never-issued'), phone.proofFor('never-issued'), undefined), 'ENROLLMENT_CHALLENGE_EXPIRED');
    expect(calls).toEqual(['options', 'consume', 'verify', 'consume', 'consume']);
    expect(stored.map((d) => d.name)).toEqual(['Mi teléfono']);
  });

  it('refuses a phone key that did not sign this challenge, and stores nothing', async () => {
    const { service, stored } = harness();
    const phone = phoneKey();
    const { challenge } = await service.begin(ana);
    await refusedWith(service.finish(ana, response(challenge), phone.proofFor('another-challenge'), undefined), 'ENROLLMENT_PHONE_KEY_INVALID');
    expect(stored).toEqual([]);
  });

  it('refuses a second student on the same phone, audited in both histories', async () => {
    const { service, stored, audits } = harness();
    const phone = phoneKey();
    const first = await service.begin(ana);
    await service.finish(ana, response(first.challenge), phone.proofFor(first.challenge), undefined);
    const second = await service.begin(luis);
    await refusedWith(service.finish(luis, response(second.challenge), phone.proofFor(second.challenge), undefined), 'ENROLLMENT_PHONE_SHARED');
    expect(stored.map((d) => d.studentId)).toEqual(['2']);
    expect(audits.map((a) => [a.studentId, a.action, a.reason])).toEqual([
      ['3', 'refused', 'shared_phone'],
      ['2', 'refused', 'shared_phone'],
    ]);
  });

  it('accepts the second student under ENROLLMENT_SHARED_PHONE=flag, with the alert on the device', async () => {
    const { service, stored } = harness({ policy: { sharedPhone: 'flag' } });
    const phone = phoneKey();
    for (const student of [ana, luis]) {
      const { challenge } = await service.begin(student);
      await service.finish(student, response(challenge), phone.proofFor(challenge), undefined);
    }
    expect(stored.map((d) => [d.studentId, (d as unknown as { alerts: Array<{ reason: string }> }).alerts.map((a) => a.reason)])).toEqual([
      ['2', []],
      ['3', ['shared_phone']],
    ]);
  });

  it('checks the policy again where the device is stored: a device added meanwhile counts', async () => {
    const { service, stored } = harness();
    const { challenge } = await service.begin(ana);
    // Between the options and the answer another request (another instance, a re-binding) stored a device.
    stored.push({ id: 99, studentId: ana.id, phoneKeyId: 'other', createdAt: NOW, state: 'active' } as unknown as (typeof stored)[number]);
    await refusedWith(service.finish(ana, response(challenge), phoneKey().proofFor(challenge), undefined), 'ENROLLMENT_DEVICE_LIMIT_REACHED');
    expect(stored.map((d) => d.id)).toEqual([99]);
  });
});
