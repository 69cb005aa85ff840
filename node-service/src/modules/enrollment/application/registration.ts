import type { AppError } from '../../../shared/errors.js';
import { deviceName, occupiesSlot, type Device } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import { assertAuthenticatorAllowed, assertMayEnroll, sharedPhoneVerdict, syncedPasskeyVerdict, type EnrollmentPolicy } from '../domain/policy.js';
import { userHandleFor } from '../domain/user-handle.js';
import { auditSharedPhoneRefusal, provenPhoneKey, type PhoneKeyProof } from './phone-binding.js';
import type {
  ChallengeOutcome,
  ChallengeStore,
  CreationOptions,
  DeviceRepository,
  RegistrationCeremony,
  RegistrationResponse,
} from './ports.js';

/** The signed-in student, as the verified portal token says. */
export interface Student {
  id: string;
  name: string;
}

export interface RegistrationService {
  /** Options for the browser, after checking the policy so nobody is asked for a fingerprint in vain. */
  begin(student: Student): Promise<CreationOptions>;
  /**
   * Consumes the challenge, verifies the response and the phone key's signature over the challenge, applies
   * the policy again (device limit, cooldown, shared phone, synced passkeys) and stores the device bound to
   * the phone key.
   */
  finish(student: Student, response: RegistrationResponse, phoneKey: PhoneKeyProof, name: string | undefined): Promise<Device>;
}

const DEFAULT_DEVICE_NAME = 'Llave de acceso';

export const challengeRefusals: Record<Exclude<ChallengeOutcome, 'accepted'>, () => AppError> = {
  expired: () => enrollmentErrors.ENROLLMENT_CHALLENGE_EXPIRED(),
  already_used: () => enrollmentErrors.ENROLLMENT_CHALLENGE_ALREADY_USED(),
  not_yours: () => enrollmentErrors.ENROLLMENT_CHALLENGE_NOT_YOURS(),
  superseded: () => enrollmentErrors.ENROLLMENT_CHALLENGE_SUPERSEDED(),
};

export function createRegistrationService(deps: {
  devices: DeviceRepository;
  challenges: ChallengeStore;
  ceremony: RegistrationCeremony;
  policy: EnrollmentPolicy;
  now: () => Date;
}): RegistrationService {
  return {
    async begin(student) {
      const userHandle = userHandleFor(student.id);
      assertMayEnroll(deps.policy, await deps.devices.standing(student.id), deps.now());
      const inUse = (await deps.devices.listByStudent(student.id)).filter(occupiesSlot);
      const options = await deps.ceremony.options({
        userHandle,
        userName: student.name,
        displayName: student.name,
        exclude: inUse.map((device) => ({ credentialId: device.credentialId, transports: device.transports })),
      });
      await deps.challenges.issue(student.id, options.challenge);
      return options;
    },

    async finish(student, response, proof, name) {
      const friendlyName = deviceName(name ?? DEFAULT_DEVICE_NAME);
      const challenge = deps.ceremony.challengeOf(response);
      // Consumed before anything else is checked: a challenge buys exactly one attempt, good or bad.
      const outcome = await deps.challenges.consume(student.id, challenge);
      if (outcome !== 'accepted') throw challengeRefusals[outcome]();
      const credential = await deps.ceremony.verify(response, challenge);
      const phoneKey = provenPhoneKey(proof, 'enroll', challenge);
      assertAuthenticatorAllowed(deps.policy, credential.aaguid);
      const synced = syncedPasskeyVerdict(deps.policy, credential);
      const actor = { id: student.id, role: 'student' } as const;
      let sharedWith: string[] = [];
      try {
        return await deps.devices.enroll(
          {
            studentId: student.id,
            name: friendlyName,
            credential,
            phoneKey,
            actor,
            details: { credentialId: credential.credentialId, aaguid: credential.aaguid, name: friendlyName, phoneKeyId: phoneKey.id },
          },
          (context) => {
            sharedWith = context.sharedWith;
            assertMayEnroll(deps.policy, context.standing, deps.now());
            return { alerts: [...synced.alerts, ...sharedPhoneVerdict(deps.policy, sharedWith).alerts] };
          },
        );
      } catch (error) {
        await auditSharedPhoneRefusal(deps.devices, error, { studentId: student.id, actor, attempt: 'enroll', phoneKeyId: phoneKey.id, others: sharedWith });
        throw error;
      }
    },
  };
}
