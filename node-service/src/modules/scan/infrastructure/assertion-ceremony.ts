import type { AssertionVerifier } from '../../../shared/webauthn/assertion.js';
import { scanErrors } from '../domain/errors.js';
import type { AssertionCeremony } from '../application/ports.js';

/**
 * The scan's passkey step: the options name the passkeys of the phone that asked (allowCredentials), so
 * the phone shows no account picker; a refused assertion is a scan error the student can act on.
 */
export function createAssertionCeremony(verifier: AssertionVerifier): AssertionCeremony {
  return {
    options: (timeoutMs, devices) =>
      verifier.options({ timeoutMs, allow: devices.map((device) => ({ credentialId: device.credentialId, transports: device.transports })) }),
    async verify({ response, expectedChallenge, device }) {
      const verdict = await verifier.verify({ response, expectedChallenge, credential: device });
      if (verdict.ok) return verdict;
      throw verdict.reason === 'user_verification' ? scanErrors.SCAN_USER_VERIFICATION_REQUIRED() : scanErrors.SCAN_ASSERTION_INVALID();
    },
  };
}
