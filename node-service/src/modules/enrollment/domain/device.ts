import type { ACTOR_ROLES, ALERT_REASONS, DEVICE_STATES } from './device-vocabulary.js';
import { enrollmentErrors } from './errors.js';

/**
 * A device is one passkey (FIDO2 credential) bound to the student who enrolled it. `flagged` devices are
 * suspect (e.g. a sign counter went backwards): they still count against the limit but do not sign in.
 */
export type DeviceState = (typeof DEVICE_STATES)[number];

export interface Device {
  id: number;
  studentId: string;
  /** base64url, as WebAuthn sends it. */
  credentialId: string;
  /** COSE-encoded public key. */
  publicKey: Uint8Array<ArrayBuffer>;
  signCount: number;
  transports: string[];
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
  /** What the authenticator said of itself at enrolment, and whether a trusted root proved it ("verificado"). */
  attestation: Attestation;
  name: string;
  state: DeviceState;
  flaggedReason: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** The phone key the device is bound to (shared/phone-key.ts); null until the student binds one. */
  phoneKeyId: string | null;
  /** SubjectPublicKeyInfo (DER) of the phone key. */
  phonePublicKey: Uint8Array | null;
  phoneKeyBoundAt: Date | null;
  /** Re-bindings of its phone key in the last 30 days. */
  rebindsLast30Days: number;
  alerts: DeviceAlert[];
}

/** Why an alert was raised on a device (device-vocabulary.ts says what an alert is). */
export type AlertReason = (typeof ALERT_REASONS)[number];

interface DeviceAlert {
  reason: AlertReason;
  details: Record<string, unknown>;
  raisedAt: Date;
}

/** A phone key whose possession was proven (shared/phone-key.ts): its id and public key. */
export interface PhoneKey {
  id: string;
  publicKey: Uint8Array;
}

/**
 * The attestation statement of a registration (https://www.w3.org/TR/webauthn-3/#sctn-attestation): its
 * format as sent, and whether the service verified it up to a trusted root. Only a verified attestation says
 * anything about the authenticator: without one, its AAGUID and format are whatever the client claims.
 */
export interface Attestation {
  /** 'none', 'packed', 'android-key', 'tpm', 'apple', ...: as the authenticator (or a script) sent it. */
  format: string;
  verified: boolean;
  /** Why a statement that was sent did not verify (the verifier's words), for the audit trail; never stored on the device. */
  problem?: string;
}

/** What a verified registration yields, before it is stored. */
export interface NewCredential {
  credentialId: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
  attestation: Attestation;
}

export type ActorRole = (typeof ACTOR_ROLES)[number];

/** Who did something to a device, for the history: a signed-in user (a teacher's spot check too), an operator at the CLI, or the service. */
export interface Actor {
  id: string;
  role: ActorRole;
}

export const HISTORY_ACTIONS = ['enrolled', 'renamed', 'revoked', 'reset', 'flagged', 'rebound', 'alerted', 'refused'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

export interface HistoryEntry {
  id: number;
  studentId: string;
  deviceId: number | null;
  action: HistoryAction;
  actor: Actor;
  reason: string | null;
  details: Record<string, unknown>;
  occurredAt: Date;
}

export const DEVICE_NAME_MAX = 60;
export const REASON_MAX = 200;
const REASON_MIN = 3;

/** Trimmed, inner whitespace collapsed, 1 to 60 characters (the column's own check). */
export function deviceName(raw: string): string {
  const name = raw.replace(/\s+/g, ' ').trim();
  if (name.length < 1 || [...name].length > DEVICE_NAME_MAX) {
    throw enrollmentErrors.ENROLLMENT_DEVICE_NAME_INVALID({ max: DEVICE_NAME_MAX });
  }
  return name;
}

/** Every revocation and reset says why: a few words at least, one line at most. */
export function reasonText(raw: string | undefined): string {
  const reason = (raw ?? '').replace(/\s+/g, ' ').trim();
  if (reason.length < REASON_MIN || [...reason].length > REASON_MAX) {
    throw enrollmentErrors.ENROLLMENT_REASON_REQUIRED({ max: REASON_MAX });
  }
  return reason;
}

/** Counts against the per-student limit: everything not revoked. */
export function occupiesSlot(device: Pick<Device, 'state'>): boolean {
  return device.state !== 'revoked';
}
