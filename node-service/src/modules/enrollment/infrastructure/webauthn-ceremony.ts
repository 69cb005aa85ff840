import { createHash, timingSafeEqual } from 'node:crypto';
import {
  generateRegistrationOptions,
  SettingsService,
  verifyRegistrationResponse,
  type AuthenticatorTransport,
  type VerifiedRegistrationResponse,
} from '@simplewebauthn/server';
import {
  convertCertBufferToPEM,
  decodeAttestationObject,
  decodeClientDataJSON,
  isoBase64URL,
  isoCBOR,
  parseAuthenticatorData,
  type AttestationObject,
  type ClientDataJSON,
  type ParsedAuthenticatorData,
} from '@simplewebauthn/server/helpers';
import type { RegistrationCeremony, RegistrationResponse } from '../application/ports.js';
import type { Attestation } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import type { AttestationMode } from '../domain/policy.js';

export interface WebAuthnSettings {
  rpName: string;
  /** The relying party id: the public host name (https://www.w3.org/TR/webauthn-3/#rp-id). */
  rpId: string;
  /** Every origin a page may enrol from: the public URL's origin first. */
  origins: readonly string[];
  /** ENROLLMENT_ATTESTATION: 'prefer' and 'require' ask the browser for 'direct' attestation, 'none' for none. */
  attestation: AttestationMode;
  /**
   * Attestation roots the operator trusts (ENROLLMENT_ATTESTATION_ROOTS_FILE, DER), for every hardware format,
   * on top of the roots SimpleWebAuthn ships for android-key (Google Hardware Attestation Roots) and apple
   * (Apple WebAuthn Root CA).
   */
  attestationRoots: readonly Uint8Array[];
  timeoutMs: number;
}

/**
 * The formats whose statement, verified up to a trusted root, proves the authenticator: android-key (a key in
 * an Android phone's TEE or StrongBox), packed with a certificate chain (security keys), tpm (Windows
 * Hello's TPM) and apple (Apple's anonymous attestation, managed devices). Not counted: 'none'; packed self
 * attestation (no x5c: the credential signs for itself); fido-u2f (CTAP1 keys, which cannot make the
 * discoverable, verified passkeys enrolment asks for); android-safetynet (deprecated by Google; it attests
 * the OS, not where the key lives).
 */
const HARDWARE_FORMATS = ['android-key', 'packed', 'tpm', 'apple'] as const;
type HardwareFormat = (typeof HARDWARE_FORMATS)[number];
const isHardwareFormat = (format: string): format is HardwareFormat => (HARDWARE_FORMATS as readonly string[]).includes(format);

/**
 * The roots SimpleWebAuthn ships, as it loaded them (before this module adds any): kept, so that the Google and
 * Apple roots stay trusted whatever the operator's file holds, and building a second ceremony adds nothing twice.
 */
const SHIPPED_ROOTS = new Map(HARDWARE_FORMATS.map((format) => [format, SettingsService.getRootCertificates({ identifier: format })] as const));

/** The roots this process's running ceremonies trust now, and how many of them share that trust. */
let held: { key: string; ceremonies: number } | undefined;

/**
 * Hands SimpleWebAuthn the trust anchors of each hardware format, until `release()`. The library keeps them
 * in one process-wide setting (SettingsService): the service builds one ceremony from its one Config, and a
 * second ceremony alive in the same process with other roots is refused rather than quietly changing the
 * first one's (ceremonies with the same roots share them; the shipped roots come back when the last one is
 * released, when its app closes). A format with no anchor is never "verified": the library then skips the
 * path check, and a chain made by anyone would pass.
 */
function trustAttestationRoots(roots: readonly Uint8Array[]): { release(): void } {
  const pems = roots.map((root) => convertCertBufferToPEM(new Uint8Array(root)));
  const wanted = new Map(HARDWARE_FORMATS.map((format) => [format, [...(SHIPPED_ROOTS.get(format) ?? []), ...pems]] as const));
  const key = JSON.stringify([...wanted]);
  if (held !== undefined && held.key !== key) {
    throw new Error("SimpleWebAuthn's attestation roots are process-wide, and a running ceremony of this process trusts other roots");
  }
  if (held === undefined) {
    for (const [format, certificates] of wanted) SettingsService.setRootCertificates({ identifier: format, certificates: [...certificates] });
    held = { key, ceremonies: 0 };
  }
  held.ceremonies += 1;
  let released = false;
  return {
    release() {
      if (released || held === undefined) return;
      released = true;
      held.ceremonies -= 1;
      if (held.ceremonies > 0) return;
      held = undefined;
      for (const [format, certificates] of SHIPPED_ROOTS) SettingsService.setRootCertificates({ identifier: format, certificates: [...certificates] });
    },
  };
}

/** EdDSA, ES256, RS256: what phones and security keys make (https://www.iana.org/assignments/cose). */
const SUPPORTED_ALGORITHMS = [-8, -7, -257];

/**
 * The registration ceremony with SimpleWebAuthn. Before the library verifies everything, the response is
 * read here once so each defect gets its own code (the library only throws plain Errors): unreadable,
 * wrong origin, wrong RP id, no user presence, no user verification. Anything else the library refuses is
 * ENROLLMENT_RESPONSE_INVALID. Nothing it throws ever becomes a 500.
 */
export function createWebAuthnCeremony(settings: WebAuthnSettings): RegistrationCeremony & { release(): void } {
  const rpIdHash = createHash('sha256').update(settings.rpId).digest();
  const trust = trustAttestationRoots(settings.attestationRoots);
  const library = (response: RegistrationResponse, expectedChallenge: string) =>
    verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: [...settings.origins],
      expectedRPID: settings.rpId,
      expectedType: 'webauthn.create',
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  const invalid = (error: unknown) => enrollmentErrors.ENROLLMENT_RESPONSE_INVALID({}, { reason: reasonOf(error) });

  return {
    /** Gives the attestation roots back when the app closes (see trustAttestationRoots). */
    release: () => trust.release(),
    options: (input) =>
      generateRegistrationOptions({
        rpName: settings.rpName,
        rpID: settings.rpId,
        userID: input.userHandle,
        userName: input.userName,
        userDisplayName: input.displayName,
        timeout: settings.timeoutMs,
        attestationType: settings.attestation === 'none' ? 'none' : 'direct',
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
      const attestation = readAttestationObject(response);
      const authData = readAuthenticatorData(attestation);
      if (clientData.type !== 'webauthn.create') throw enrollmentErrors.ENROLLMENT_RESPONSE_MALFORMED();
      if (!settings.origins.includes(clientData.origin)) {
        throw enrollmentErrors.ENROLLMENT_WRONG_ORIGIN({ origin: String(clientData.origin).slice(0, 200) });
      }
      if (authData.rpIdHash.length !== rpIdHash.length || !timingSafeEqual(authData.rpIdHash, rpIdHash)) {
        throw enrollmentErrors.ENROLLMENT_WRONG_RP_ID();
      }
      if (!authData.flags.up) throw enrollmentErrors.ENROLLMENT_USER_NOT_PRESENT();
      if (!authData.flags.uv) throw enrollmentErrors.ENROLLMENT_USER_NOT_VERIFIED();

      const format = String(attestation.get('fmt'));
      let result: VerifiedRegistrationResponse;
      let proof: Attestation;
      try {
        result = await library(response, expectedChallenge);
        // The library says "not verified", without throwing, when a statement's signature does not check.
        if (!result.verified) throw new Error(`the ${format} attestation signature did not verify`);
        proof = { format, verified: provesHardware(format, attestation) };
      } catch (error) {
        if (format === 'none') throw invalid(error);
        // The statement did not verify (a chain to no trusted root, a wrong signature, a wrong challenge in an
        // Android key's certificate): the rest of the response is checked as if it had come with attestation
        // 'none', and the device, if the policy takes it, is not verified.
        result = await library(withoutAttestation(response, attestation), expectedChallenge).catch((inner: unknown) => {
          throw invalid(inner);
        });
        proof = { format, verified: false, problem: reasonOf(error).slice(0, 300) };
      }
      if (!result.verified) throw invalid('the registration did not verify');

      const info = result.registrationInfo;
      return {
        credentialId: info.credential.id,
        publicKey: info.credential.publicKey,
        signCount: info.credential.counter,
        transports: [...(info.credential.transports ?? [])],
        aaguid: info.aaguid,
        backupEligible: info.credentialDeviceType === 'multiDevice',
        backedUp: info.credentialBackedUp,
        attestation: proof,
      };
    },
  };
}

/**
 * A statement SimpleWebAuthn verified proves the hardware only in a hardware format, with a certificate chain
 * (x5c), and with at least one trust anchor for that format in the library: without one it checks no path.
 */
function provesHardware(format: string, attestation: AttestationObject): boolean {
  const x5c = attestation.get('attStmt').get('x5c');
  const anchors = isHardwareFormat(format) ? SettingsService.getRootCertificates({ identifier: format }) : [];
  return Array.isArray(x5c) && x5c.length > 0 && anchors.length > 0;
}

/** The same response with attestation 'none' (https://www.w3.org/TR/webauthn-3/#sctn-none-attestation). */
function withoutAttestation(response: RegistrationResponse, attestation: AttestationObject): RegistrationResponse {
  const none = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', attestation.get('authData')]]) as never);
  return { ...response, response: { ...response.response, attestationObject: isoBase64URL.fromBuffer(none) } };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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

function readAttestationObject(response: RegistrationResponse): AttestationObject {
  try {
    return decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject));
  } catch {
    throw enrollmentErrors.ENROLLMENT_RESPONSE_MALFORMED();
  }
}

function readAuthenticatorData(attestation: AttestationObject): ParsedAuthenticatorData {
  try {
    return parseAuthenticatorData(attestation.get('authData'));
  } catch {
    throw enrollmentErrors.ENROLLMENT_RESPONSE_MALFORMED();
  }
}
