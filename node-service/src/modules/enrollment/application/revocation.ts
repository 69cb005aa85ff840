import type { AssertionVerifier } from '../../../shared/webauthn/assertion.js';
import { reasonText, type Device } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import { passkeyChallenge, provenPasskey, type PasskeyAssertion } from './passkey-proof.js';
import type { ChallengeStore, DeviceRepository } from './ports.js';
import type { Student } from './registration.js';

export interface RevocationService {
  /** Assertion options naming that device's passkey alone, with a fresh single-use challenge. */
  begin(student: Student, deviceId: number): Promise<Record<string, unknown>>;
  /**
   * Revokes one of the student's devices, proven by that device's own passkey: the portal password alone
   * (a verified token, no assertion) is refused and the attempt audited, so someone who knows the password
   * cannot take a student's phone away. A lost phone is revoked by an admin.
   */
  finish(student: Student, deviceId: number, reason: string, assertion: PasskeyAssertion | undefined): Promise<Device>;
}

export function createRevocationService(deps: {
  devices: DeviceRepository;
  challenges: ChallengeStore;
  assertions: AssertionVerifier;
  challengeTtlMs: number;
}): RevocationService {
  /** A student acts on their own devices only: someone else's device is "not found". */
  const ownDevice = async (student: Student, deviceId: number): Promise<Device> => {
    const device = await deps.devices.findById(deviceId);
    if (!device || device.studentId !== student.id) throw enrollmentErrors.ENROLLMENT_DEVICE_NOT_FOUND();
    if (device.state === 'revoked') throw enrollmentErrors.ENROLLMENT_DEVICE_REVOKED();
    return device;
  };

  return {
    async begin(student, deviceId) {
      return passkeyChallenge(deps, student, [await ownDevice(student, deviceId)]);
    },

    async finish(student, deviceId, reason, assertion) {
      const text = reasonText(reason);
      const target = await ownDevice(student, deviceId);
      const actor = { id: student.id, role: 'student' } as const;
      if (!assertion) {
        await deps.devices.audit({ studentId: student.id, deviceId: target.id, action: 'refused', actor, reason: 'passkey_required', details: { attempt: 'revoke' } });
        throw enrollmentErrors.ENROLLMENT_PASSKEY_REQUIRED();
      }
      const { device } = await provenPasskey(deps, student, assertion, {
        accepts: (candidate) => candidate.state !== 'revoked',
        invalid: () => enrollmentErrors.ENROLLMENT_PASSKEY_INVALID(),
        notYours: () => enrollmentErrors.ENROLLMENT_PASSKEY_NOT_THIS_DEVICE(),
      });
      if (device.id !== target.id) throw enrollmentErrors.ENROLLMENT_PASSKEY_NOT_THIS_DEVICE();
      const revoked = await deps.devices.revoke(device.id, text, actor);
      if (!revoked) throw enrollmentErrors.ENROLLMENT_DEVICE_REVOKED();
      return revoked;
    },
  };
}
