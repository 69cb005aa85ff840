// What the device administration API answers (modules/enrollment/presentation/admin-routes.ts).
import { basePath } from '../src/lib/api';

type DeviceState = 'active' | 'flagged' | 'revoked';
type HistoryAction = 'enrolled' | 'renamed' | 'revoked' | 'reset' | 'flagged' | 'rebound' | 'alerted' | 'refused';
type AlertReason = 'shared_phone' | 'synced_passkey' | 'frequent_rebinds' | 'shared_device' | 'spot_check_missed';

export interface Device {
  readonly id: number;
  readonly studentId: string;
  readonly name: string;
  readonly state: DeviceState;
  readonly credentialId: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
  readonly flaggedReason: string | null;
  /** BE: a passkey that can be synced to other devices; BS: it is backed up now. */
  readonly backupEligible: boolean;
  readonly backedUp: boolean;
  /** The authenticator model it claims; it counts only when the attestation was verified. */
  readonly aaguid: string;
  /** "verificado": its attestation (attestationFormat) was verified up to a trusted root at enrolment. */
  readonly attestationFormat: string;
  readonly attestationVerified: boolean;
  readonly phoneKeyBoundAt: string | null;
  readonly rebindsLast30Days: number;
  readonly alerts: ReadonlyArray<{ readonly reason: AlertReason; readonly details: Record<string, unknown>; readonly raisedAt: string }>;
}

/** Someone the portal knows: the admin's views name people with it. */
export interface Person {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly role: 'student' | 'teacher' | 'admin';
}

/** One student answering a lookup (GET /api/admin/students). */
interface StudentMatch {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly devicesInUse: number;
}

export interface StudentSearch {
  readonly query: string;
  readonly students: readonly StudentMatch[];
  /** More matched than `limit`: the admin should type more of the name. */
  readonly truncated: boolean;
  readonly limit: number;
}

export interface DeviceOverview {
  readonly studentId: string;
  readonly people: readonly Person[];
  readonly devices: readonly Device[];
  readonly policy: {
    readonly maxDevices: number;
    readonly devicesInUse: number;
    readonly enrollmentsSinceReset: number;
    /** ISO time from which another enrolment is allowed; null: now. */
    readonly nextEnrollmentAt: string | null;
  };
}

export interface HistoryEntry {
  readonly id: number;
  readonly deviceId: number | null;
  readonly action: HistoryAction;
  readonly actorId: string;
  readonly actorRole: 'student' | 'admin' | 'operator' | 'system' | 'teacher';
  readonly reason: string | null;
  readonly occurredAt: string;
}

export interface DeviceHistory {
  readonly studentId: string;
  readonly people: readonly Person[];
  readonly entries: readonly HistoryEntry[];
}

export interface Attention {
  readonly devices: readonly Device[];
  readonly people: readonly Person[];
}

export const adminPath = `${basePath}api/admin/devices`;
export const searchPath = `${basePath}api/admin/students`;

/** Names by id, from every answer that carried some; an id nobody named stays an id. */
export type Names = ReadonlyMap<string, Person>;
