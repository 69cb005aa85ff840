import { createHash, timingSafeEqual } from 'node:crypto';
import { generateRegistrationOptions, verifyRegistrationResponse, type AuthenticatorTransport } from '@simplewebauthn/server';
import {
  decodeAttestationObject,
  decodeClientDataJSON,
  isoBase64URL,
  parseAuthenticatorData,
  type ClientDataJSON,
  type ParsedAuthenticatorData,
} from '@simplewebauthn/server/helpers';
import type { RegistrationCeremony, RegistrationResponse } from '../application/ports.js';
import { enrollmentErrors } from '../domain/errors.js';

export interface WebAuthnSettings {
  rpName: string;
  /** The relying party id: the public host name (https://www.w3.org/TR/webauthn-3/#rp-id). */
  rpId: string;
  /** Every origin a page may enrol from: the public URL's origin first. */
  origins: readonly string[];
  attestation: 'none' | 'direct';
  timeoutMs: number;
}

/** EdDSA, ES256, RS256: what phones and security keys make (https://www.iana.org/assignments/cose). */
const SUPPORTED_ALGORITHMS = [-8, -7, -257];

/**
 * The registration ceremony with SimpleWebAuthn. Before the library verifies everything, the response is
 * read here once so each defect gets its own code (the library only throws plain Errors): unreadable,
 * wrong origin, wrong RP id, no user presence, no user verification. Anything else the library refuses is
 * ENROLLMENT_RESPONSE_INVALID. Nothing it throws ever becomes a 500.
 */
export function createWebAuthnCeremony(settings: WebAuthnSettings): RegistrationCeremony {
  const rpIdHash = createHash('sha256').update(settings.rpId).digest();

  return {
    options: (input) =>
      generateRegistrationOptions({
        rpName: settings.rpName,
        rpID: settings.rpId,
        userID: input.userHandle,
        userName: input.userName,
        userDisplayName: input.displayName,
        timeout: settings.timeoutMs,
        attestationType: settings.attestation,
        excludeCredentials: input.exclude.map((device) => ({
          id: device.credentialId,
          transports: device.transports as AuthenticatorTransport[],
        })),
        // Discoverable and verified: at scan time the passkey alone says who the student is.
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      }),

    challengeOf(response) {
      return readClientData(response).challenge;
    },

    async verify(response, expectedChallenge) {
      const clientData = readClientData(response);
      const authData = readAuthenticatorData(response);
      if (clientData.type !== 'webauthn.create') throw enrollmentErrors.ENROLLMENT_RESPONSE_MALFORMED();
      if (!settings.origins.includes(clientData.origin)) {
        throw enrollmentErrors.ENROLLMENT_WRONG_ORIGIN({ origin: String(clientData.origin).slice(0, 200) });
      }
      if (authData.rpIdHash.length !== rpIdHash.length || !timingSafeEqual(authData.rpIdHash, rpIdHash)) {
        throw enrollmentErrors.ENROLLMENT_WRONG_RP_ID();
      }
      if (!authData.flags.up) throw enrollmentErrors.ENROLLMENT_USER_NOT_PRESENT();
      if (!authData.flags.uv) throw enrollmentErrors.ENROLLMENT_USER_NOT_VERIFIED();

      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge,
        expectedOrigin: [...settings.origins],
        expectedRPID: settings.rpId,
        expectedType: 'webauthn.create',
        requireUserPresence: true,
        requireUserVerification: true,
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      }).catch((error: unknown) => {
        throw enrollmentErrors.ENROLLMENT_RESPONSE_INVALID({}, { reason: error instanceof Error ? error.message : String(error) });
      });
      if (!result.verified) throw enrollmentErrors.ENROLLMENT_RESPONSE_INVALID({}, { reason: 'attestation not verified' });

      const info = result.registrationInfo;
      return {
        credentialId: info.credential.id,
        publicKey: info.credential.publicKey,
        signCount: info.credential.counter,
        transports: [...(info.credential.transports ?? [])],
        aaguid: info.aaguid,
        backupEligible: info.credentialDeviceType === 'multiDevice',
        backedUp: info.credentialBackedUp,
      };
    },
  };
}

function readClientData(response: RegistrationResponse): ClientDataJSON {
  try {
    const clientData = decodeClientDataJSON(response.response.clientDataJSON);
    if (typeof clientData.challenge !== 'string' || !isoBase64URL.isBase64URL(clientData.challenge) || !clientData.challenge) {
      throw new Error('no challenge');
    }
    return clientData;
  } catch {
    throw enrollmentErrors.ENROLLMENT_RESPONSE_MALFORMED();
  }
}

function readAuthenticatorData(response: RegistrationResponse): ParsedAuthenticatorData {
  try {
    const attestation = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject));
    return parseAuthenticatorData(attestation.get('authData'));
  } catch {
    throw enrollmentErrors.ENROLLMENT_RESPONSE_MALFORMED();
  }
}
