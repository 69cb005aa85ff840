import { deviceName, reasonText, type Actor, type Device, type HistoryEntry } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import { nextEnrollmentAt, type EnrollmentPolicy } from '../domain/policy.js';
import type { DeviceRepository } from './ports.js';

/** A student's devices and where they stand with the policy, as the page and the admin see them. */
export interface DeviceOverview {
  studentId: string;
  devices: Device[];
  maxDevices: number;
  devicesInUse: number;
  enrollmentsSinceReset: number;
  /** Null when the cooldown allows an enrolment now (the device limit may still refuse it). */
  nextEnrollmentAt: Date | null;
  /**
   * The latest changes to the student's devices and the attempts refused, newest first: what the student's
   * pages show so that a change they did not make (someone with their portal password) does not go unseen.
   */
  changes: HistoryEntry[];
}

/** The history rows a student is told about: every device change, and every attempt that was refused. */
const CHANGE_ACTIONS: ReadonlySet<string> = new Set(['enrolled', 'revoked', 'rebound', 'reset', 'flagged', 'refused']);
const CHANGES_SHOWN = 20;

export interface DeviceManagement {
  overview(studentId: string): Promise<DeviceOverview>;
  history(studentId: string, limit?: number): Promise<HistoryEntry[]>;
  /** Devices an admin should look at: blocked ones first, then those with alerts. */
  needingAttention(limit?: number): Promise<Device[]>;
  /** A student acts on their own devices only: someone else's device is "not found". */
  renameOwn(studentId: string, deviceId: number, name: string): Promise<Device>;
  /** An admin or operator acts on any device. */
  revoke(actor: Actor, deviceId: number, reason: string): Promise<Device>;
  /** The operator's way to name a device: the first characters of its credential id. */
  revokeByCredentialPrefix(actor: Actor, prefix: string, reason: string): Promise<Device>;
  /** Clears the cooldown: the student's next enrolment counts as their first. Devices are untouched. */
  reset(actor: Actor, studentId: string, reason: string): Promise<DeviceOverview>;
}

export const CREDENTIAL_PREFIX_MIN = 6;

export function createDeviceManagement(deps: { devices: DeviceRepository; policy: EnrollmentPolicy }): DeviceManagement {
  const { devices, policy } = deps;

  const overview = async (studentId: string): Promise<DeviceOverview> => {
    const [list, standing, history] = await Promise.all([devices.listByStudent(studentId), devices.standing(studentId), devices.history(studentId, 100)]);
    return {
      studentId,
      devices: list,
      maxDevices: policy.maxDevices,
      devicesInUse: standing.devicesInUse,
      enrollmentsSinceReset: standing.enrollmentsSinceReset,
      nextEnrollmentAt: nextEnrollmentAt(policy, standing),
      changes: history.filter((entry) => CHANGE_ACTIONS.has(entry.action)).slice(0, CHANGES_SHOWN),
    };
  };

  const existing = async (deviceId: number, ownerId?: string): Promise<Device> => {
    const device = await devices.findById(deviceId);
    if (!device || (ownerId !== undefined && device.studentId !== ownerId)) throw enrollmentErrors.ENROLLMENT_DEVICE_NOT_FOUND();
    return device;
  };

  const revoke = async (actor: Actor, device: Device, reason: string): Promise<Device> => {
    const text = reasonText(reason);
    if (device.state === 'revoked') throw enrollmentErrors.ENROLLMENT_DEVICE_REVOKED();
    const revoked = await devices.revoke(device.id, text, actor);
    if (!revoked) throw enrollmentErrors.ENROLLMENT_DEVICE_REVOKED();
    return revoked;
  };

  return {
    overview,
    history: (studentId, limit = 100) => devices.history(studentId, limit),
    needingAttention: (limit = 100) => devices.needingAttention(limit),

    async renameOwn(studentId, deviceId, name) {
      const device = await existing(deviceId, studentId);
      const newName = deviceName(name);
      if (device.state === 'revoked') throw enrollmentErrors.ENROLLMENT_DEVICE_REVOKED();
      const renamed = await devices.rename(device.id, newName, { id: studentId, role: 'student' });
      if (!renamed) throw enrollmentErrors.ENROLLMENT_DEVICE_REVOKED();
      return renamed;
    },

    async revoke(actor, deviceId, reason) {
      return revoke(actor, await existing(deviceId), reason);
    },

    async revokeByCredentialPrefix(actor, prefix, reason) {
      const wanted = prefix.trim();
      if (wanted.length < CREDENTIAL_PREFIX_MIN) {
        throw enrollmentErrors.ENROLLMENT_CREDENTIAL_PREFIX_TOO_SHORT({ min: CREDENTIAL_PREFIX_MIN });
      }
      const matches = (await devices.findByCredentialPrefix(wanted, 10)).filter((d) => d.state !== 'revoked');
      if (matches.length === 0) throw enrollmentErrors.ENROLLMENT_DEVICE_NOT_FOUND();
      if (matches.length > 1) {
        throw enrollmentErrors.ENROLLMENT_CREDENTIAL_PREFIX_AMBIGUOUS(
          { count: matches.length, prefix: wanted },
          matches.map((d) => ({ id: d.id, studentId: d.studentId, credentialId: d.credentialId })),
        );
      }
      return revoke(actor, matches[0]!, reason);
    },

    async reset(actor, studentId, reason) {
      await devices.reset(studentId, reasonText(reason), actor);
      return overview(studentId);
    },
  };
}
