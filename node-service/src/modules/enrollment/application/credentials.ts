import type { Device } from '../domain/device.js';
import { studentIdFromUserHandle } from '../domain/user-handle.js';
import type { DeviceRepository } from './ports.js';

/**
 * What the scan step needs from enrolment: the passkey behind a credential id, and a way to record its
 * use or flag it. Only `active` devices carry a credential: revoked and flagged ones never sign a scan.
 */
export interface ActiveCredential {
  deviceId: number;
  studentId: string;
  /** base64url. */
  credentialId: string;
  /** COSE public key, as `verifyAuthenticationResponse({ credential: { publicKey } })` wants it. */
  publicKey: Uint8Array<ArrayBuffer>;
  signCount: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
}

export type CredentialState =
  | { state: 'active'; credential: ActiveCredential }
  | { state: 'revoked' | 'flagged' }
  | null;

export interface EnrolledCredentials {
  /** The device behind a credential id and its state; null when the credential is unknown. */
  lookup(credentialId: string): Promise<CredentialState>;
  /** Null when the credential is unknown, revoked or flagged. */
  findActive(credentialId: string): Promise<ActiveCredential | null>;
  /**
   * After a verified assertion: the new sign counter and now as last use. False, recording nothing, when the
   * device is no longer active or its stored counter is no longer behind (another use got there first).
   */
  recordUse(deviceId: number, use: { signCount: number; backedUp?: boolean }): Promise<boolean>;
  /** Marks a device suspect (e.g. its sign counter went backwards); audited with actor 'system'. */
  flag(deviceId: number, reason: string, details?: Record<string, unknown>): Promise<boolean>;
  /** The student a user handle names (see domain/user-handle.ts); only a consistency check after verifying. */
  studentIdFromUserHandle(handle: Uint8Array): string | null;
}

export function createEnrolledCredentials(deps: { devices: DeviceRepository }): EnrolledCredentials {
  const lookup = async (credentialId: string): Promise<CredentialState> => {
    const device = await deps.devices.findByCredentialId(credentialId);
    if (!device) return null;
    return device.state === 'active' ? { state: 'active', credential: toActiveCredential(device) } : { state: device.state };
  };
  return {
    lookup,
    async findActive(credentialId) {
      const found = await lookup(credentialId);
      return found?.state === 'active' ? found.credential : null;
    },
    recordUse: (deviceId, use) => deps.devices.recordUse(deviceId, use),
    async flag(deviceId, reason, details = {}) {
      return (await deps.devices.flag(deviceId, reason, { id: 'asistencia', role: 'system' }, details)) !== null;
    },
    studentIdFromUserHandle,
  };
}

function toActiveCredential(device: Device): ActiveCredential {
  return {
    deviceId: device.id,
    studentId: device.studentId,
    credentialId: device.credentialId,
    publicKey: new Uint8Array(device.publicKey),
    signCount: device.signCount,
    transports: device.transports,
    backupEligible: device.backupEligible,
    backedUp: device.backedUp,
  };
}
