// The shapes the enrolment API answers with (see the OpenAPI document at /asistencia/docs).

export interface DeviceView {
  readonly id: number;
  readonly studentId: string;
  readonly name: string;
  readonly state: 'active' | 'flagged' | 'revoked';
  readonly credentialId: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
  readonly flaggedReason: string | null;
  /** "verificado": its hardware attestation (attestationFormat) was verified at enrolment. */
  readonly attestationFormat: string;
  readonly attestationVerified: boolean;
  /** The phone key the device is bound to (a hash of its public key); null until one is bound. */
  readonly phoneKeyId: string | null;
  readonly phoneKeyBoundAt: string | null;
}

/** A change to the student's devices, or a refused attempt (newest first). */
export interface DeviceChange {
  readonly action: 'enrolled' | 'revoked' | 'rebound' | 'reset' | 'flagged' | 'refused';
  readonly by: string;
  readonly deviceId: number | null;
  readonly reason: string | null;
  readonly occurredAt: string;
}

export interface Overview {
  readonly studentId: string;
  readonly devices: readonly DeviceView[];
  readonly changes: readonly DeviceChange[];
  readonly policy: {
    readonly maxDevices: number;
    readonly devicesInUse: number;
    readonly enrollmentsSinceReset: number;
    /** ISO time from which another enrolment is allowed; null: now. */
    readonly nextEnrollmentAt: string | null;
  };
}

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
