import { describe, expect, test } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import {
  assertAttestationAccepted,
  assertAuthenticatorAllowed,
  assertMayEnroll,
  assertMayRebind,
  duration,
  nextEnrollmentAt,
  sharedPhoneVerdict,
  syncedPasskeyVerdict,
  type EnrollmentPolicy,
} from './policy.js';
import { studentIdFromUserHandle, userHandleFor } from './user-handle.js';

const policy: EnrollmentPolicy = {
  maxDevices: 1,
  cooldownMs: [0, 30, 360, 1440].map((minutes) => minutes * 60_000),
  attestation: 'none',
  aaguidAllowlist: undefined,
  sharedPhone: 'refuse',
  syncedPasskeys: 'allow',
  rebindCooldownMs: 0,
  rebindsBeforeFlag: 3,
};
const at = new Date('2025-03-04T10:00:00Z');
const minutesLater = (minutes: number) => new Date(at.getTime() + minutes * 60_000);

function refusal(work: () => void): { code: string; vars: Record<string, unknown> } {
  try {
    work();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, vars: error.vars };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('enrolment policy', () => {
  test('the first enrolment is free; each later one waits longer, the last step repeating', () => {
    const standing = (enrollments: number) => ({ devicesInUse: 0, enrollmentsSinceReset: enrollments, lastEnrolledAt: at });
    expect(nextEnrollmentAt(policy, { devicesInUse: 0, enrollmentsSinceReset: 0, lastEnrolledAt: null })).toBeNull();
    expect(nextEnrollmentAt(policy, standing(1))).toEqual(minutesLater(30));
    expect(nextEnrollmentAt(policy, standing(2))).toEqual(minutesLater(360));
    expect(nextEnrollmentAt(policy, standing(3))).toEqual(minutesLater(1440));
    expect(nextEnrollmentAt(policy, standing(9))).toEqual(minutesLater(1440));
  });

  test('a cooldown refusal says when, in UTC, in each language’s date style, and how long to wait', () => {
    const standing = { devicesInUse: 0, enrollmentsSinceReset: 2, lastEnrolledAt: at };
    expect(refusal(() => assertMayEnroll(policy, standing, minutesLater(1)))).toEqual({
      code: 'ENROLLMENT_COOLDOWN_ACTIVE',
      vars: { at: { es: 'mar, 4 mar 2025, 16:00 (UTC)', en: 'Tue, 4 Mar 2025, 16:00 (UTC)' }, wait: '5 h 59 min' },
    });
    expect(() => assertMayEnroll(policy, standing, minutesLater(360))).not.toThrow();
  });

  test('the device limit is checked before the cooldown', () => {
    const standing = { devicesInUse: 1, enrollmentsSinceReset: 1, lastEnrolledAt: at };
    expect(refusal(() => assertMayEnroll(policy, standing, at))).toEqual({
      code: 'ENROLLMENT_DEVICE_LIMIT_REACHED',
      vars: { active: 1, max: 1 },
    });
  });

  test('the AAGUID allow list, when set, admits only its authenticators, and only with a verified attestation', () => {
    const strict = { ...policy, attestation: 'prefer' as const, aaguidAllowlist: ['adce0002-35bc-c60a-648b-0b25f1f05503'] };
    const verified = { format: 'packed', verified: true };
    expect(() => assertAuthenticatorAllowed(strict, { aaguid: 'ADCE0002-35BC-C60A-648B-0B25F1F05503', attestation: verified })).not.toThrow();
    expect(refusal(() => assertAuthenticatorAllowed(strict, { aaguid: '00000000-0000-0000-0000-000000000000', attestation: verified })).code).toBe(
      'ENROLLMENT_AUTHENTICATOR_NOT_ALLOWED',
    );
    // A listed AAGUID that nothing proves: claimed under 'none', or under a statement no trusted root signed.
    for (const claimed of [{ format: 'none', verified: false }, { format: 'packed', verified: false }]) {
      expect(refusal(() => assertAuthenticatorAllowed(strict, { aaguid: 'adce0002-35bc-c60a-648b-0b25f1f05503', attestation: claimed })).code).toBe(
        'ENROLLMENT_AUTHENTICATOR_UNPROVEN',
      );
    }
    expect(() => assertAuthenticatorAllowed(policy, { aaguid: '00000000-0000-0000-0000-000000000000', attestation: { format: 'none', verified: false } })).not.toThrow();
  });

  test('attestation: "require" admits only a verified one; "prefer" and "none" admit the rest', () => {
    const unverified = { attestation: { format: 'none', verified: false } };
    expect(refusal(() => assertAttestationAccepted({ ...policy, attestation: 'require' }, unverified)).code).toBe('ENROLLMENT_ATTESTATION_REQUIRED');
    expect(() => assertAttestationAccepted({ ...policy, attestation: 'require' }, { attestation: { format: 'android-key', verified: true } })).not.toThrow();
    expect(() => assertAttestationAccepted({ ...policy, attestation: 'prefer' }, unverified)).not.toThrow();
    expect(() => assertAttestationAccepted(policy, unverified)).not.toThrow();
  });

  test('durations read the same in Spanish and English', () => {
    expect([duration(0.2), duration(59), duration(60), duration(61), duration(1440), duration(1500)]).toEqual([
      '1 min',
      '59 min',
      '1 h',
      '1 h 1 min',
      '1 d',
      '1 d 1 h',
    ]);
  });
});

describe('user handle', () => {
  test('is the student id, stable, and maps back', () => {
    expect(userHandleFor('2')).toEqual(userHandleFor('2'));
    expect(studentIdFromUserHandle(userHandleFor('20231234'))).toBe('20231234');
    expect(studentIdFromUserHandle(new Uint8Array([0xff, 0xfe]))).toBeNull();
    expect(refusal(() => userHandleFor('x'.repeat(65))).code).toBe('ENROLLMENT_STUDENT_ID_UNSUPPORTED');
  });
});

describe('the phone binding policy', () => {
  test('a phone key already bound to another student: refused by default, naming nobody; alerted under flag', () => {
    expect(sharedPhoneVerdict(policy, [])).toEqual({ alerts: [] });
    expect(refusal(() => sharedPhoneVerdict(policy, ['7']))).toEqual({ code: 'ENROLLMENT_PHONE_SHARED', vars: {} });
    expect(sharedPhoneVerdict({ ...policy, sharedPhone: 'flag' }, ['7', '9'])).toEqual({
      alerts: [{ reason: 'shared_phone', details: { otherStudents: ['7', '9'] } }],
    });
  });

  test('synced passkeys: allowed by default, alerted or refused when configured; device-bound ones always pass', () => {
    const synced = { backupEligible: true, backedUp: true };
    expect(syncedPasskeyVerdict(policy, synced)).toEqual({ alerts: [] });
    expect(syncedPasskeyVerdict({ ...policy, syncedPasskeys: 'flag' }, synced).alerts.map((a) => a.reason)).toEqual(['synced_passkey']);
    expect(refusal(() => syncedPasskeyVerdict({ ...policy, syncedPasskeys: 'refuse' }, synced)).code).toBe('ENROLLMENT_SYNCED_PASSKEY_REFUSED');
    expect(syncedPasskeyVerdict({ ...policy, syncedPasskeys: 'refuse' }, { backupEligible: false, backedUp: false })).toEqual({ alerts: [] });
  });

  test('re-binding waits the cooldown after the previous one, and past the ceiling is refused pending an admin', () => {
    const waiting = { ...policy, rebindCooldownMs: 60 * 60_000 };
    expect(() => assertMayRebind(waiting, { lastReboundAt: null, rebinds: 0 }, at)).not.toThrow();
    expect(refusal(() => assertMayRebind(waiting, { lastReboundAt: at, rebinds: 1 }, minutesLater(30))).code).toBe('ENROLLMENT_REBIND_COOLDOWN_ACTIVE');
    expect(() => assertMayRebind(waiting, { lastReboundAt: at, rebinds: 2 }, minutesLater(60))).not.toThrow();
    expect(refusal(() => assertMayRebind(waiting, { lastReboundAt: at, rebinds: 3 }, minutesLater(6000)))).toMatchObject({ code: 'ENROLLMENT_REBIND_LIMIT_REACHED', vars: { count: 3 } });
    expect(refusal(() => assertMayRebind({ ...policy, rebindsBeforeFlag: 0 }, { lastReboundAt: null, rebinds: 0 }, at)).code).toBe('ENROLLMENT_REBIND_LIMIT_REACHED');
  });
});
