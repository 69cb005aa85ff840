import { isAppError } from '../../../shared/errors.js';
import type { AssertionVerifier } from '../../../shared/webauthn/assertion.js';
import type { Actor, Device } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import { assertMayRebind, sharedPhoneVerdict, type EnrollmentPolicy } from '../domain/policy.js';
import { passkeyChallenge, provenPasskey, type PasskeyAssertion } from './passkey-proof.js';
import { auditSharedPhoneRefusal, provenPhoneKey, type PhoneKeyProof } from './phone-binding.js';
import type { ChallengeStore, DeviceRepository } from './ports.js';
import type { Student } from './registration.js';

export interface RebindingService {
  /** Assertion options naming the student's active passkeys, with a fresh single-use challenge. */
  begin(student: Student): Promise<Record<string, unknown>>;
  /**
   * The student proves one of their passkeys (portal sign-in plus the passkey) and a new phone key on the
   * same page; the new phone key replaces the device's old one. Audited as 'rebound'; at most one per
   * ENROLLMENT_REBIND_COOLDOWN_HOURS, and past ENROLLMENT_REBINDS_BEFORE_FLAG in 30 days refused until an
   * admin resets the student (the device then shows in "devices to review").
   */
  finish(student: Student, assertion: PasskeyAssertion, phoneKey: PhoneKeyProof): Promise<Device>;
}

/** The refusals of the re-binding policy, by the reason their history row gives. */
const POLICY_REFUSALS: Readonly<Record<string, string>> = {
  ENROLLMENT_REBIND_COOLDOWN_ACTIVE: 'rebind_cooldown',
  ENROLLMENT_REBIND_LIMIT_REACHED: 'rebind_limit',
};

/**
 * Re-binding a phone key: for a student whose phone key is gone (browser data cleared, another browser,
 * site data evicted after a long absence) but who still holds their passkey. A new phone is a new enrolment.
 */
export function createRebindingService(deps: {
  devices: DeviceRepository;
  challenges: ChallengeStore;
  assertions: AssertionVerifier;
  policy: EnrollmentPolicy;
  challengeTtlMs: number;
  now: () => Date;
}): RebindingService {
  return {
    async begin(student) {
      const active = (await deps.devices.listByStudent(student.id)).filter((device) => device.state === 'active');
      if (active.length === 0) throw enrollmentErrors.ENROLLMENT_NOTHING_TO_REBIND();
      return passkeyChallenge(deps, student, active);
    },

    async finish(student, assertion, proof) {
      const { device, challenge } = await provenPasskey(deps, student, assertion, {
        accepts: (candidate) => candidate.state === 'active',
        invalid: () => enrollmentErrors.ENROLLMENT_REBIND_ASSERTION_INVALID(),
        notYours: () => enrollmentErrors.ENROLLMENT_REBIND_NOT_YOUR_PASSKEY(),
      });
      const phoneKey = provenPhoneKey(proof, 'rebind', challenge);
      const actor = { id: student.id, role: 'student' } as const;
      let sharedWith: string[] = [];
      try {
        const rebound = await deps.devices.rebind({ studentId: student.id, deviceId: device.id, phoneKey, actor }, (context) => {
          sharedWith = context.sharedWith;
          assertMayRebind(deps.policy, context.rebinds, deps.now());
          return sharedPhoneVerdict(deps.policy, sharedWith);
        });
        if (!rebound) throw enrollmentErrors.ENROLLMENT_REBIND_NOT_YOUR_PASSKEY();
        return rebound;
      } catch (error) {
        await auditSharedPhoneRefusal(deps.devices, error, { studentId: student.id, actor, attempt: 'rebind', phoneKeyId: phoneKey.id, others: sharedWith });
        await auditPolicyRefusal(deps.devices, error, { device, actor, phoneKeyId: phoneKey.id });
        throw error;
      }
    },
  };
}

/**
 * A re-binding the policy refused stores nothing, so it is audited on its own (the student's page lists it);
 * past the ceiling the device also gets a `frequent_rebinds` alert, which puts it before an admin.
 */
async function auditPolicyRefusal(
  devices: Pick<DeviceRepository, 'audit' | 'raiseAlert'>,
  error: unknown,
  context: { device: Device; actor: Actor; phoneKeyId: string },
): Promise<void> {
  const reason = isAppError(error) ? POLICY_REFUSALS[error.code] : undefined;
  if (!reason) return;
  const { device, actor } = context;
  const details = { attempt: 'rebind', phoneKeyId: context.phoneKeyId, ...(isAppError(error) && typeof error.details === 'object' ? error.details : {}) };
  await devices.audit({ studentId: device.studentId, deviceId: device.id, action: 'refused', actor, reason, details });
  if (reason === 'rebind_limit') await devices.raiseAlert(device.id, { reason: 'frequent_rebinds', details }, actor);
}
