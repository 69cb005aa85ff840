import { dateTimeInBoth } from '../../../shared/date-style.js';
import type { LocalizedVar } from '../../../shared/errors.js';
import type { AlertReason, NewCredential } from './device.js';
import { enrollmentErrors } from './errors.js';

/**
 * Who may enrol another device, and when. A student has at most `maxDevices` devices that are not revoked.
 * Each enrolment since the last admin reset makes the next one wait longer: with cooldowns [0, 30, 360, 1440]
 * the first enrolment is free, the second waits 30 minutes after the first, the third 6 hours after the
 * second, and every later one 24 hours. This is what stops one phone from being passed around a class.
 */
export interface EnrollmentPolicy {
  maxDevices: number;
  /** The institution's IANA time zone (TIME_ZONE) in which waits are told; UTC when unset. */
  timeZone?: string;
  /** Milliseconds to wait after the latest enrollment, indexed by the number of enrollments since the last reset. */
  cooldownMs: readonly number[];
  /**
   * ENROLLMENT_ATTESTATION: 'none' asks for no attestation; 'prefer' asks for it and marks the devices whose
   * attestation was verified; 'require' refuses every device without a verified attestation.
   */
  attestation: AttestationMode;
  /**
   * Lower-case AAGUIDs; undefined accepts any authenticator. An AAGUID counts only when a verified attestation
   * vouches for it: otherwise it is whatever the client says, and a script can claim any.
   */
  aaguidAllowlist: readonly string[] | undefined;
  /** A phone key already bound to another student's device: refused, or accepted with an alert on both. */
  sharedPhone: 'refuse' | 'flag';
  /** A synced (backup-eligible) passkey: the phone key makes a synced copy useless elsewhere, hence 'allow'. */
  syncedPasskeys: 'allow' | 'flag' | 'refuse';
  /** Milliseconds between two re-bindings of one device's phone key (ENROLLMENT_REBIND_COOLDOWN_HOURS). */
  rebindCooldownMs: number;
  /** Re-bindings of one device allowed in 30 days since the last admin reset; the next is refused pending an admin. */
  rebindsBeforeFlag: number;
}

/** What the policy says of an enrolment or re-binding, besides refusing it: the alerts to raise. */
export interface Verdict {
  alerts: Array<{ reason: AlertReason; details: Record<string, unknown> }>;
}

/** A student's enrolment record as the policy needs it. */
export interface Standing {
  /** Devices not revoked (active or flagged). */
  devicesInUse: number;
  enrollmentsSinceReset: number;
  lastEnrolledAt: Date | null;
}

/** When the student may next enrol (ignoring the device limit); null when they may now. */
export function nextEnrollmentAt(policy: EnrollmentPolicy, standing: Standing): Date | null {
  if (standing.enrollmentsSinceReset === 0 || standing.lastEnrolledAt === null) return null;
  const steps = policy.cooldownMs;
  const waitMs = steps.length === 0 ? 0 : steps[Math.min(standing.enrollmentsSinceReset, steps.length - 1)]!;
  if (waitMs === 0) return null;
  return new Date(standing.lastEnrolledAt.getTime() + waitMs);
}

/** Throws the refusal that tells the student what to do: revoke a device first, or wait until a time. */
export function assertMayEnroll(policy: EnrollmentPolicy, standing: Standing, now: Date): void {
  if (standing.devicesInUse >= policy.maxDevices) {
    throw enrollmentErrors.ENROLLMENT_DEVICE_LIMIT_REACHED({ active: standing.devicesInUse, max: policy.maxDevices });
  }
  const allowedAt = nextEnrollmentAt(policy, standing);
  if (allowedAt && allowedAt > now) {
    const waitMinutes = Math.ceil((allowedAt.getTime() - now.getTime()) / 60_000);
    throw enrollmentErrors.ENROLLMENT_COOLDOWN_ACTIVE(
      { at: localMinute(allowedAt, policy.timeZone), wait: duration(waitMinutes) },
      { retryAt: allowedAt.toISOString(), waitMinutes },
    );
  }
}

/** ENROLLMENT_ATTESTATION (config/env.ts names the same three). */
export type AttestationMode = 'none' | 'prefer' | 'require';

/**
 * Under 'require', only a verified hardware attestation enrols; the refusal says which phones and keys give
 * one. 'none' and 'prefer' accept the rest (unverified).
 */
export function assertAttestationAccepted(policy: EnrollmentPolicy, credential: Pick<NewCredential, 'attestation'>): void {
  if (policy.attestation === 'require' && !credential.attestation.verified) {
    const { format, problem } = credential.attestation;
    throw enrollmentErrors.ENROLLMENT_ATTESTATION_REQUIRED({}, problem === undefined ? { format } : { format, problem });
  }
}

/**
 * The allow-list admits models by AAGUID, and an AAGUID proves a model only inside a verified attestation:
 * a claimed one (attestation 'none', self attestation, a chain to no trusted root) never satisfies it.
 */
export function assertAuthenticatorAllowed(policy: EnrollmentPolicy, credential: Pick<NewCredential, 'aaguid' | 'attestation'>): void {
  if (!policy.aaguidAllowlist) return;
  if (!credential.attestation.verified) {
    throw enrollmentErrors.ENROLLMENT_AUTHENTICATOR_UNPROVEN({}, { aaguid: credential.aaguid, format: credential.attestation.format });
  }
  if (!policy.aaguidAllowlist.includes(credential.aaguid.toLowerCase())) {
    throw enrollmentErrors.ENROLLMENT_AUTHENTICATOR_NOT_ALLOWED({ aaguid: credential.aaguid });
  }
}

/**
 * Another student's devices bound to the same phone key: one phone serves one student. Refused (the
 * default), or accepted with an alert naming the others. `others` are the other students' ids.
 */
export function sharedPhoneVerdict(policy: EnrollmentPolicy, others: readonly string[]): Verdict {
  if (others.length === 0) return { alerts: [] };
  // The refusal names nobody: the other students are for the audit trail, not for whoever tried.
  if (policy.sharedPhone === 'refuse') throw enrollmentErrors.ENROLLMENT_PHONE_SHARED();
  return { alerts: [{ reason: 'shared_phone', details: { otherStudents: [...others] } }] };
}

/** A synced passkey (backup eligible: it may live on several devices) under ENROLLMENT_SYNCED_PASSKEYS. */
export function syncedPasskeyVerdict(policy: EnrollmentPolicy, credential: { backupEligible: boolean; backedUp: boolean }): Verdict {
  if (!credential.backupEligible || policy.syncedPasskeys === 'allow') return { alerts: [] };
  if (policy.syncedPasskeys === 'refuse') throw enrollmentErrors.ENROLLMENT_SYNCED_PASSKEY_REFUSED();
  return { alerts: [{ reason: 'synced_passkey', details: { backedUp: credential.backedUp } }] };
}

/** A device's re-bindings as the policy counts them: since the student's last admin reset, in the last 30 days. */
export interface RebindRecord {
  lastReboundAt: Date | null;
  rebinds: number;
}

/**
 * Re-binding moves a student's attendance to another phone, so it is rationed: past
 * ENROLLMENT_REBINDS_BEFORE_FLAG it is refused until an admin resets the student (or 30 days pass), and each
 * waits ENROLLMENT_REBIND_COOLDOWN_HOURS after the previous one. A reset clears both.
 */
export function assertMayRebind(policy: EnrollmentPolicy, record: RebindRecord, now: Date): void {
  if (record.rebinds >= policy.rebindsBeforeFlag) {
    throw enrollmentErrors.ENROLLMENT_REBIND_LIMIT_REACHED({ count: record.rebinds }, { rebinds: record.rebinds, max: policy.rebindsBeforeFlag });
  }
  if (record.lastReboundAt === null || policy.rebindCooldownMs === 0) return;
  const allowedAt = new Date(record.lastReboundAt.getTime() + policy.rebindCooldownMs);
  if (allowedAt <= now) return;
  const waitMinutes = Math.ceil((allowedAt.getTime() - now.getTime()) / 60_000);
  throw enrollmentErrors.ENROLLMENT_REBIND_COOLDOWN_ACTIVE({ at: localMinute(allowedAt, policy.timeZone), wait: duration(waitMinutes) }, { retryAt: allowedAt.toISOString(), waitMinutes });
}

/**
 * "mar, 4 mar 2025, 07:30 (America/Santiago)" / "Tue, 4 Mar 2025, 07:30 (America/Santiago)": each language
 * in the pages' date style (shared/date-style.ts); UTC without a zone.
 */
function localMinute(at: Date, timeZone = 'UTC'): LocalizedVar {
  const both = dateTimeInBoth(at, timeZone);
  return { es: `${both.es} (${timeZone})`, en: `${both.en} (${timeZone})` };
}

/** "25 min", "5 h 59 min", "1 d 2 h": readable in Spanish and English alike. */
export function duration(totalMinutes: number): string {
  const minutes = Math.max(1, Math.ceil(totalMinutes));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const rest = minutes % 60;
    return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
  }
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  return hours === 0 ? `${days} d` : `${days} d ${hours} h`;
}
