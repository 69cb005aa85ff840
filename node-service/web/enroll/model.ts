// The shapes the enrolment API answers with, inferred from its response schemas (src/lib/responses.ts).
import type { EnrollmentApi } from '../src/lib/responses';

/** A device as the page reads it (the fields it shows and compares; the API sends more). */
export type DeviceView = Pick<
  EnrollmentApi.DeviceJson,
  | 'id'
  | 'studentId'
  | 'name'
  | 'state'
  | 'credentialId'
  | 'createdAt'
  | 'lastUsedAt'
  | 'revokedAt'
  | 'revokedReason'
  | 'flaggedReason'
  | 'attestationFormat'
  | 'attestationVerified'
  | 'phoneKeyId'
  | 'phoneKeyBoundAt'
>;

/** A change to the student's devices, or a refused attempt (newest first). */
export type DeviceChange = EnrollmentApi.ChangeJson;

/** GET /api/me/devices: my devices, the changes to them, and when I may enrol another. */
export type Overview = Omit<EnrollmentApi.OverviewJson, 'devices'> & { readonly devices: readonly DeviceView[] };

/** Why the button cannot enrol right now, if it cannot: the device limit first, then the cooldown. */
export function blocker(overview: Overview, now: Date = new Date()): { kind: 'limit' } | { kind: 'cooldown'; until: Date } | null {
  if (overview.policy.devicesInUse >= overview.policy.maxDevices) return { kind: 'limit' };
  const next = overview.policy.nextEnrollmentAt ? new Date(overview.policy.nextEnrollmentAt) : null;
  return next && next > now ? { kind: 'cooldown', until: next } : null;
}

/**
 * Whether this browser should be linked again: the student has an active passkey, but none is bound to the
 * phone key this browser holds (cleared site data, another browser, a device enrolled before phone keys).
 */
export function needsRebind(overview: Overview, localPhoneKeyId: string | null): boolean {
  const active = overview.devices.filter((device) => device.state === 'active');
  return active.length > 0 && !active.some((device) => device.phoneKeyId !== null && device.phoneKeyId === localPhoneKeyId);
}
