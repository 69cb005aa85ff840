import { isAppError } from '../../../shared/errors.js';
import { parsePhoneKey, phoneKeyIdOf, phoneKeyMessage, phoneSignatureValid, type PhoneKeyPurpose } from '../../../shared/phone-key.js';
import type { Actor, PhoneKey } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import type { DeviceRepository } from './ports.js';

/** What the page sends of its phone key: the public key (SPKI, DER) and its signature over the challenge. */
export interface PhoneKeyProof {
  publicKey: Uint8Array;
  signature: Uint8Array;
}

/**
 * The phone key, once its signature over this ceremony's challenge proves the page holds the private half:
 * nobody can bind (or squat) a phone key they do not hold.
 */
export function provenPhoneKey(proof: PhoneKeyProof, purpose: Extract<PhoneKeyPurpose, 'enroll' | 'rebind'>, challenge: string): PhoneKey {
  if (!parsePhoneKey(proof.publicKey) || !phoneSignatureValid(proof.publicKey, phoneKeyMessage(purpose, challenge), proof.signature)) {
    throw enrollmentErrors.ENROLLMENT_PHONE_KEY_INVALID();
  }
  return { id: phoneKeyIdOf(proof.publicKey), publicKey: proof.publicKey };
}

/**
 * A phone key refused because another student's device is bound to it: the refusal stores nothing, so it
 * is audited on its own, in the history of the student who tried and of each student already on the phone.
 */
export async function auditSharedPhoneRefusal(
  devices: Pick<DeviceRepository, 'audit'>,
  error: unknown,
  context: { studentId: string; actor: Actor; attempt: 'enroll' | 'rebind'; phoneKeyId: string; others: readonly string[] },
): Promise<void> {
  if (!isAppError(error) || error.code !== 'ENROLLMENT_PHONE_SHARED') return;
  const { others } = context;
  const details = { attempt: context.attempt, phoneKeyId: context.phoneKeyId };
  await devices.audit({ studentId: context.studentId, deviceId: null, action: 'refused', actor: context.actor, reason: 'shared_phone', details: { ...details, otherStudents: [...others] } });
  for (const other of others) {
    await devices.audit({ studentId: other, deviceId: null, action: 'refused', actor: context.actor, reason: 'shared_phone', details: { ...details, attemptedBy: context.studentId } });
  }
}
