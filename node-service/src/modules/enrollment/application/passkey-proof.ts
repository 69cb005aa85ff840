import type { AppError } from '../../../shared/errors.js';
import { challengeOfAssertion, type AssertionVerifier } from '../../../shared/webauthn/assertion.js';
import type { Device } from '../domain/device.js';
import { studentIdFromUserHandle } from '../domain/user-handle.js';
import { challengeRefusals } from './challenge-refusals.js';
import type { ChallengeStore, DeviceRepository, Student } from './ports.js';

/** What a page sends of `navigator.credentials.get()`: the credential id and the signed client data. */
export interface PasskeyAssertion {
  id: string;
  response: { clientDataJSON: string };
}

/**
 * Options naming the given devices' passkeys, with a fresh single-use challenge kept for the student: what
 * a student signs to re-bind a phone or to revoke a device.
 */
export async function passkeyChallenge(
  deps: { challenges: ChallengeStore; assertions: AssertionVerifier; challengeTtlMs: number },
  student: Student,
  devices: readonly Device[],
): Promise<Record<string, unknown>> {
  const { options, challenge } = await deps.assertions.options({
    timeoutMs: deps.challengeTtlMs,
    allow: devices.map((device) => ({ credentialId: device.credentialId, transports: device.transports })),
  });
  await deps.challenges.issue(student.id, challenge);
  return options;
}

/**
 * The device whose passkey signed the student's pending challenge (user verification required): the
 * challenge is consumed before anything else is checked, so it buys exactly one attempt, good or bad; the
 * passkey must be one of the student's devices in a state `accepts`; the sign counter moves forward as at
 * a scan (a copy that lags behind is refused). Only devices still active record the use.
 */
export async function provenPasskey(
  deps: { devices: DeviceRepository; challenges: ChallengeStore; assertions: AssertionVerifier },
  student: Student,
  assertion: PasskeyAssertion,
  rules: { accepts: (device: Device) => boolean; invalid: () => AppError; notYours: () => AppError },
): Promise<{ device: Device; challenge: string }> {
  const challenge = challengeOfAssertion(assertion);
  if (!challenge) throw rules.invalid();
  const outcome = await deps.challenges.consume(student.id, challenge);
  if (outcome !== 'accepted') throw challengeRefusals[outcome]();

  const device = await deps.devices.findByCredentialId(assertion.id);
  if (!device || device.studentId !== student.id || !rules.accepts(device)) throw rules.notYours();
  const verdict = await deps.assertions.verify({ response: assertion, expectedChallenge: challenge, credential: device });
  if (!verdict.ok) throw rules.invalid();
  if (verdict.userHandle && studentIdFromUserHandle(verdict.userHandle) !== student.id) throw rules.notYours();
  if (device.state === 'active' && !(await deps.devices.recordUse(device.id, { signCount: verdict.newCounter, backedUp: verdict.backedUp }))) {
    throw rules.invalid();
  }
  return { device, challenge };
}
