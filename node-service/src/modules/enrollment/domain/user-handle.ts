import { enrollmentErrors } from './errors.js';

/**
 * The WebAuthn user handle (`user.id`) of a student's passkeys: the UTF-8 bytes of the portal's stable
 * student id (the JWT `sub`), nothing else. The same student always gets the same handle, on every device.
 *
 * Why the id itself and not an HMAC of it: the authenticator stores the handle inside the passkey for the
 * passkey's whole life, so it must never depend on a secret that could be rotated or lost (every enrolled
 * passkey would be orphaned). Portal ids are opaque numbers, not personal data (no name, no e-mail), which
 * is what the spec asks of a user handle (https://www.w3.org/TR/webauthn-3/#user-handle).
 *
 * How the scan step uses it: a discoverable-credential assertion carries both the credential id and this
 * handle. The scan step finds the device by credential id, verifies the signature with the stored public
 * key, and only then checks `studentIdFromUserHandle(userHandle) === device.studentId`: the student comes
 * from the verified device row, and the handle is a consistency check, never trusted on its own.
 */
const MAX_USER_HANDLE_BYTES = 64; // WebAuthn: user.id is at most 64 bytes.

export function userHandleFor(studentId: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(studentId);
  if (bytes.length === 0 || bytes.length > MAX_USER_HANDLE_BYTES) throw enrollmentErrors.ENROLLMENT_STUDENT_ID_UNSUPPORTED();
  return bytes;
}

/** The student id a user handle names, or null when the bytes cannot be one of ours. */
export function studentIdFromUserHandle(handle: Uint8Array): string | null {
  if (handle.length === 0 || handle.length > MAX_USER_HANDLE_BYTES) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(handle);
  } catch {
    return null;
  }
}
