import type { AppError } from '../../../shared/errors.js';
import { enrollmentErrors } from '../domain/errors.js';
import type { ChallengeOutcome } from './ports.js';

/** Why a pending enrolment, re-binding, revocation or proof challenge was not accepted. */
export const challengeRefusals: Record<Exclude<ChallengeOutcome, 'accepted'>, () => AppError> = {
  expired: () => enrollmentErrors.ENROLLMENT_CHALLENGE_EXPIRED(),
  already_used: () => enrollmentErrors.ENROLLMENT_CHALLENGE_ALREADY_USED(),
  not_yours: () => enrollmentErrors.ENROLLMENT_CHALLENGE_NOT_YOURS(),
  superseded: () => enrollmentErrors.ENROLLMENT_CHALLENGE_SUPERSEDED(),
};
