/**
 * A signature counter that does not move forward means two copies of one passkey exist (a cloned
 * authenticator): https://www.w3.org/TR/webauthn-3/#sctn-sign-counter. Authenticators that do not count
 * (synced passkeys report 0 always) are left alone.
 */
export function counterRegressed(stored: number, received: number): boolean {
  return (stored > 0 || received > 0) && received <= stored;
}
