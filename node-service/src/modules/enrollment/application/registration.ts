import type { AppError } from '../../../shared/errors.js';
import { deviceName, occupiesSlot, type Device } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import { assertAuthenticatorAllowed, assertMayEnroll, type EnrollmentPolicy } from '../domain/policy.js';
import { userHandleFor } from '../domain/user-handle.js';
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
  /** Consumes the challenge, verifies the response, applies the policy again and stores the device. */
  finish(student: Student, response: RegistrationResponse, name: string | undefined): Promise<Device>;
}

export const DEFAULT_DEVICE_NAME = 'Llave de acceso';

const refusals: Record<Exclude<ChallengeOutcome, 'accepted'>, () => AppError> = {
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

    async finish(student, response, name) {
      const friendlyName = deviceName(name ?? DEFAULT_DEVICE_NAME);
      const challenge = deps.ceremony.challengeOf(response);
      // Consumed before anything else is checked: a challenge buys exactly one attempt, good or bad.
      const outcome = await deps.challenges.consume(student.id, challenge);
      if (outcome !== 'accepted') throw refusals[outcome]();
      const credential = await deps.ceremony.verify(response, challenge);
      assertAuthenticatorAllowed(deps.policy, credential.aaguid);
      return deps.devices.enrol(
        {
          studentId: student.id,
          name: friendlyName,
          credential,
          actor: { id: student.id, role: 'student' },
          details: { credentialId: credential.credentialId, aaguid: credential.aaguid, name: friendlyName },
        },
        (standing) => assertMayEnroll(deps.policy, standing, deps.now()),
      );
    },
  };
}
