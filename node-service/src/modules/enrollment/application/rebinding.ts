import { challengeOfAssertion, type AssertionVerifier } from '../../../shared/webauthn/assertion.js';
import type { Device } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import { assertMayRebind, rebindVerdict, sharedPhoneVerdict, type EnrollmentPolicy } from '../domain/policy.js';
import { studentIdFromUserHandle } from '../domain/user-handle.js';
import { auditSharedPhoneRefusal, provenPhoneKey, type PhoneKeyProof } from './phone-binding.js';
import type { ChallengeStore, DeviceRepository } from './ports.js';
import { challengeRefusals, type Student } from './registration.js';

export interface RebindingService {
  /** Assertion options naming the student's active passkeys, with a fresh single-use challenge. */
  begin(student: Student): Promise<Record<string, unknown>>;
  /**
   * The student proves one of their passkeys (portal sign-in plus the passkey) and a new phone key on the
   * same page; the new phone key replaces the device's old one. Audited as 'rebound', counted, and past
   * ENROLLMENT_REBINDS_BEFORE_FLAG in 30 days the device gets an alert.
   */
  finish(student: Student, assertion: { id: string; response: { clientDataJSON: string } }, phoneKey: PhoneKeyProof): Promise<Device>;
}

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
      const { options, challenge } = await deps.assertions.options({
        timeoutMs: deps.challengeTtlMs,
        allow: active.map((device) => ({ credentialId: device.credentialId, transports: device.transports })),
      });
      await deps.challenges.issue(student.id, challenge);
      return options;
    },

    async finish(student, assertion, proof) {
      const challenge = challengeOfAssertion(assertion);
      if (!challenge) throw enrollmentErrors.ENROLLMENT_REBIND_ASSERTION_INVALID();
      // Consumed before anything else is checked: a challenge buys exactly one attempt, good or bad.
      const outcome = await deps.challenges.consume(student.id, challenge);
      if (outcome !== 'accepted') throw challengeRefusals[outcome]();

      const device = await deps.devices.findByCredentialId(assertion.id);
      if (!device || device.studentId !== student.id || device.state !== 'active') throw enrollmentErrors.ENROLLMENT_REBIND_NOT_YOUR_PASSKEY();
      const verdict = await deps.assertions.verify({ response: assertion, expectedChallenge: challenge, credential: device });
      if (!verdict.ok) throw enrollmentErrors.ENROLLMENT_REBIND_ASSERTION_INVALID();
      if (verdict.userHandle && studentIdFromUserHandle(verdict.userHandle) !== student.id) throw enrollmentErrors.ENROLLMENT_REBIND_NOT_YOUR_PASSKEY();
      const phoneKey = provenPhoneKey(proof, 'rebind', challenge);
      // The sign counter moves forward as at a scan; a copy that lags behind is not the student's passkey.
      if (!(await deps.devices.recordUse(device.id, { signCount: verdict.newCounter, backedUp: verdict.backedUp }))) {
        throw enrollmentErrors.ENROLLMENT_REBIND_ASSERTION_INVALID();
      }

      const actor = { id: student.id, role: 'student' } as const;
      let sharedWith: string[] = [];
      try {
        const rebound = await deps.devices.rebind({ studentId: student.id, deviceId: device.id, phoneKey, actor }, (context) => {
          sharedWith = context.sharedWith;
          assertMayRebind(deps.policy, context.lastReboundAt, deps.now());
          const shared = sharedPhoneVerdict(deps.policy, sharedWith);
          return { alerts: [...shared.alerts, ...rebindVerdict(deps.policy, context.device.rebindsLast30Days + 1).alerts] };
        });
        if (!rebound) throw enrollmentErrors.ENROLLMENT_REBIND_NOT_YOUR_PASSKEY();
        return rebound;
      } catch (error) {
        await auditSharedPhoneRefusal(deps.devices, error, { studentId: student.id, actor, attempt: 'rebind', phoneKeyId: phoneKey.id, others: sharedWith });
        throw error;
      }
    },
  };
}
