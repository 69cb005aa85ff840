import { deviceName, occupiesSlot, type Device } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import { assertAttestationAccepted, assertAuthenticatorAllowed, assertMayEnroll, sharedPhoneVerdict, syncedPasskeyVerdict, type EnrollmentPolicy } from '../domain/policy.js';
import { userHandleFor } from '../domain/user-handle.js';
import type { AssertionVerifier } from '../../../shared/webauthn/assertion.js';
import { challengeRefusals } from './challenge-refusals.js';
import { passkeyChallenge, provenPasskey, type PasskeyAssertion } from './passkey-proof.js';
import { auditSharedPhoneRefusal, provenPhoneKey, type PhoneKeyProof } from './phone-binding.js';
import type {
  Student,
  ChallengeStore,
  CreationOptions,
  DeviceRepository,
  RegistrationCeremony,
  RegistrationResponse,
} from './ports.js';

export type { Student } from './ports.js';

export interface RegistrationService {
  /**
   * Assertion options naming the student's devices in use, with a fresh single-use challenge: a student who
   * has one proves it before adding another (ENROLLMENT_NO_DEVICE_YET when there is none to prove).
   */
  proofOptions(student: Student): Promise<Record<string, unknown>>;
  /**
   * Options for the browser, after checking the policy so nobody is asked for a fingerprint in vain. A first
   * device needs the portal sign-in alone; another, while one is in use, also the passkey of one in use
   * (`proof`): the portal password alone cannot add a phone that then confirms for the student.
   */
  begin(student: Student, proof?: PasskeyAssertion): Promise<CreationOptions>;
  /**
   * Consumes the challenge, verifies the response and the phone key's signature over the challenge, applies
   * the policy (attestation, AAGUIDs, then again device limit, cooldown, shared phone, synced passkeys) and
   * stores the device bound to the phone key, with its attestation (verified or not).
   */
  finish(student: Student, response: RegistrationResponse, phoneKey: PhoneKeyProof, name: string | undefined): Promise<Device>;
}

const DEFAULT_DEVICE_NAME = 'Llave de acceso';


export function createRegistrationService(deps: {
  devices: DeviceRepository;
  challenges: ChallengeStore;
  ceremony: RegistrationCeremony;
  policy: EnrollmentPolicy;
  /** The proof of a device in use before adding another: its own single-use challenges. */
  proofs: { challenges: ChallengeStore; assertions: AssertionVerifier; challengeTtlMs: number };
  now: () => Date;
}): RegistrationService {
  const inUseBy = async (student: Student) => (await deps.devices.listByStudent(student.id)).filter(occupiesSlot);
  return {
    async proofOptions(student) {
      const inUse = await inUseBy(student);
      if (inUse.length === 0) throw enrollmentErrors.ENROLLMENT_NO_DEVICE_YET();
      return passkeyChallenge(deps.proofs, student, inUse);
    },

    async begin(student, proof) {
      const userHandle = userHandleFor(student.id);
      assertMayEnroll(deps.policy, await deps.devices.standing(student.id), deps.now());
      const inUse = await inUseBy(student);
      if (inUse.length > 0) {
        const actor = { id: student.id, role: 'student' } as const;
        if (!proof) {
          await deps.devices.audit({ studentId: student.id, deviceId: null, action: 'refused', actor, reason: 'passkey_required', details: { attempt: 'enroll' } });
          throw enrollmentErrors.ENROLLMENT_PASSKEY_REQUIRED_TO_ADD();
        }
        await provenPasskey({ ...deps.proofs, devices: deps.devices }, student, proof, {
          accepts: occupiesSlot,
          invalid: () => enrollmentErrors.ENROLLMENT_PASSKEY_INVALID(),
          notYours: () => enrollmentErrors.ENROLLMENT_REBIND_NOT_YOUR_PASSKEY(),
        });
      }
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
      assertAttestationAccepted(deps.policy, credential);
      assertAuthenticatorAllowed(deps.policy, credential);
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
            details: {
              credentialId: credential.credentialId,
              aaguid: credential.aaguid,
              attestation: credential.attestation,
              name: friendlyName,
              phoneKeyId: phoneKey.id,
            },
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
