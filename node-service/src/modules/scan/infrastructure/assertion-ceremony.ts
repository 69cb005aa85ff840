import { generateAuthenticationOptions, verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { scanErrors } from '../domain/errors.js';
import type { AssertionCeremony } from '../application/ports.js';

/**
 * SimpleWebAuthn for the scan: a discoverable credential (empty allowCredentials: the passkey itself says
 * who signs) with user verification required. SimpleWebAuthn throws on malformed input; every throw is a
 * 4xx for the student, never a 500.
 */
export function createAssertionCeremony(settings: { rpId: string; origins: readonly string[] }): AssertionCeremony {
  return {
    async options(timeoutMs) {
      const options = await generateAuthenticationOptions({
        rpID: settings.rpId,
        allowCredentials: [],
        userVerification: 'required',
        timeout: timeoutMs,
      });
      return { options, challenge: options.challenge };
    },
    async verify({ response, expectedChallenge, credential }) {
      let verification;
      try {
        verification = await verifyAuthenticationResponse({
          response: response as AuthenticationResponseJSON,
          expectedChallenge,
          expectedOrigin: [...settings.origins],
          expectedRPID: settings.rpId,
          requireUserVerification: true,
          // The counter is checked after the signature, by our own rule (domain/sign-counter.ts), so that
          // only a validly signed assertion can flag a device as cloned.
          credential: { id: credential.credentialId, publicKey: credential.publicKey, counter: 0, transports: [] },
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : '';
        if (/user verification required/i.test(message)) throw scanErrors.SCAN_USER_VERIFICATION_REQUIRED();
        throw scanErrors.SCAN_ASSERTION_INVALID();
      }
      if (!verification.verified) throw scanErrors.SCAN_ASSERTION_INVALID();
      const userHandle = (response as AuthenticationResponseJSON).response.userHandle;
      return {
        newCounter: verification.authenticationInfo.newCounter,
        backedUp: verification.authenticationInfo.credentialBackedUp,
        userHandle: userHandle ? isoBase64URL.toBuffer(userHandle) : null,
      };
    },
  };
}
