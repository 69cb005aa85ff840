// What the device administration API answers (modules/enrollment/presentation/admin-routes.ts).

export type DeviceState = 'active' | 'flagged' | 'revoked';
export type HistoryAction = 'enrolled' | 'renamed' | 'revoked' | 'reset' | 'flagged';

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
}

export interface DeviceOverview {
  readonly studentId: string;
  readonly devices: readonly Device[];
  readonly policy: {
    readonly maxDevices: number;
    readonly devicesInUse: number;
    readonly enrolmentsSinceReset: number;
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
  readonly entries: readonly HistoryEntry[];
}

export const adminPath = '/asistencia/api/admin/devices';
