import { enrollmentErrors } from './errors.js';

/**
 * Who may enrol another device, and when. A student has at most `maxDevices` devices that are not revoked.
 * Each enrolment since the last admin reset makes the next one wait longer: with cooldowns [0, 30, 360, 1440]
 * the first enrolment is free, the second waits 30 minutes after the first, the third 6 hours after the
 * second, and every later one 24 hours. This is what stops one phone from being passed around a class.
 */
export interface EnrollmentPolicy {
  maxDevices: number;
  /** Minutes to wait after the latest enrolment, indexed by the number of enrolments since the last reset. */
  cooldownMinutes: readonly number[];
  /** Lower-case AAGUIDs; undefined accepts any authenticator. */
  aaguidAllowlist: readonly string[] | undefined;
}

/** A student's enrolment record as the policy needs it. */
export interface Standing {
  /** Devices not revoked (active or flagged). */
  devicesInUse: number;
  enrolmentsSinceReset: number;
  lastEnrolledAt: Date | null;
}

/** When the student may next enrol (ignoring the device limit); null when they may now. */
export function nextEnrollmentAt(policy: EnrollmentPolicy, standing: Standing): Date | null {
  if (standing.enrolmentsSinceReset === 0 || standing.lastEnrolledAt === null) return null;
  const steps = policy.cooldownMinutes;
  const minutes = steps.length === 0 ? 0 : steps[Math.min(standing.enrolmentsSinceReset, steps.length - 1)]!;
  if (minutes === 0) return null;
  return new Date(standing.lastEnrolledAt.getTime() + minutes * 60_000);
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
      { at: utcMinute(allowedAt), wait: duration(waitMinutes) },
      { retryAt: allowedAt.toISOString(), waitMinutes },
    );
  }
}

export function assertAuthenticatorAllowed(policy: EnrollmentPolicy, aaguid: string): void {
  if (policy.aaguidAllowlist && !policy.aaguidAllowlist.includes(aaguid.toLowerCase())) {
    throw enrollmentErrors.ENROLLMENT_AUTHENTICATOR_NOT_ALLOWED({ aaguid });
  }
}

/** "2025-03-04 10:30 UTC": the same in both languages and unambiguous across time zones. */
export function utcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
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
