import { generateAuthenticationOptions, verifyAuthenticationResponse, type AuthenticationResponseJSON, type AuthenticatorTransport } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';

/**
 * A WebAuthn assertion with SimpleWebAuthn, user verification required: the scan's confirmation and the
 * re-binding of a phone key both prove a passkey this way. SimpleWebAuthn throws on malformed input; here
 * every throw becomes a verdict, which each module turns into its own refusal (a 4xx, never a 500).
 */
export type AssertionVerdict =
  | { ok: true; newCounter: number; backedUp: boolean; userHandle: Uint8Array | null }
  | { ok: false; reason: 'user_verification' | 'invalid' };

export interface AssertionCredential {
  credentialId: string;
  /** COSE public key. */
  publicKey: Uint8Array<ArrayBuffer>;
}

export interface AssertionVerifier {
  /** Options naming the credentials that may answer (empty: any discoverable one), and their challenge. */
  options(input: { timeoutMs: number; allow: ReadonlyArray<{ credentialId: string; transports: readonly string[] }> }): Promise<{
    options: Record<string, unknown>;
    challenge: string;
  }>;
  verify(input: { response: unknown; expectedChallenge: string; credential: AssertionCredential }): Promise<AssertionVerdict>;
}

export function createAssertionVerifier(settings: { rpId: string; origins: readonly string[] }): AssertionVerifier {
  return {
    async options({ timeoutMs, allow }) {
      const options = await generateAuthenticationOptions({
        rpID: settings.rpId,
        allowCredentials: allow.map((c) => ({ id: c.credentialId, transports: c.transports as AuthenticatorTransport[] })),
        userVerification: 'required',
        timeout: timeoutMs,
      });
      return { options: options as unknown as Record<string, unknown>, challenge: options.challenge };
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
          // The counter is judged by the caller after the signature, so that only a validly signed
          // assertion can flag a device as cloned.
          credential: { id: credential.credentialId, publicKey: credential.publicKey, counter: 0, transports: [] },
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : '';
        return { ok: false, reason: /user verification required/i.test(message) ? 'user_verification' : 'invalid' };
      }
      if (!verification.verified) return { ok: false, reason: 'invalid' };
      const userHandle = (response as AuthenticationResponseJSON).response.userHandle;
      return {
        ok: true,
        newCounter: verification.authenticationInfo.newCounter,
        backedUp: verification.authenticationInfo.credentialBackedUp,
        userHandle: userHandle ? isoBase64URL.toBuffer(userHandle) : null,
      };
    },
  };
}

/** The challenge an assertion claims to answer (read from its clientDataJSON), or null when unreadable. */
export function challengeOfAssertion(response: { response: { clientDataJSON: string } }): string | null {
  try {
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof clientData.challenge === 'string' && /^[A-Za-z0-9_-]{1,512}$/.test(clientData.challenge) ? clientData.challenge : null;
  } catch {
    return null;
  }
}
