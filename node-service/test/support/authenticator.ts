/**
 * A software FIDO2 authenticator for tests: a node:crypto P-256 key per credential, producing REAL
 * WebAuthn responses that any conforming relying party accepts, byte for byte as a phone would send them
 * through @simplewebauthn/browser:
 *
 * - `register(options)`: attestation 'none' (https://www.w3.org/TR/webauthn-3/#sctn-none-attestation):
 *   a CBOR attestationObject { fmt, attStmt: {}, authData } where authData = rpIdHash ‖ flags ‖ signCount ‖
 *   AAGUID ‖ credentialIdLength ‖ credentialId ‖ COSE EC2 public key (ES256), and clientDataJSON
 *   { type: 'webauthn.create', challenge, origin }.
 * - `registerAttested(options, attest)`: the same, with the attestation statement `attest` makes from the
 *   authenticator data, the client data hash and the new credential's keys (test/support/attestation.ts makes
 *   real 'packed' and 'android-key' statements).
 * - `assert(options)`: authenticatorData (rpIdHash ‖ flags ‖ signCount) and an ECDSA-SHA256 signature over
 *   authenticatorData ‖ SHA-256(clientDataJSON), plus the user handle stored at registration.
 *
 * Credentials are discoverable (resident): like a phone, the authenticator keeps one per (RP id, user
 * handle), and `assert` without `allowCredentials` picks one by RP id. Every field can be overridden per
 * call to produce the defects a relying party must refuse (wrong origin or RP id, UV or UP missing...).
 * The CBOR is encoded here, independently of the library under test.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

export const SOFT_AUTHENTICATOR_AAGUID = '5a0f7e57-a0a0-4e57-8000-000000000001';
const ES256 = -7;

export interface SoftAuthenticatorOptions {
  /** The origin the "browser" reports in clientDataJSON. */
  origin: string;
  /** The RP id the authenticator hashes into authenticatorData. */
  rpId: string;
  /** UV flag: whether the fingerprint/face check passed. Default true. */
  userVerified?: boolean;
  /** UP flag. Default true. */
  userPresent?: boolean;
  aaguid?: string;
  /** BE/BS flags: a synced passkey is backup eligible and backed up. Default false. */
  backupEligible?: boolean;
  backedUp?: boolean;
}

/** Per-call deviations from the authenticator's settings, to make a defective response on purpose. */
interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  userPresent?: boolean;
  challenge?: string;
  type?: string;
}

interface RegisterOverrides extends CeremonyOverrides {
  aaguid?: string;
}

export interface AssertOverrides extends CeremonyOverrides {
  /** Which credential signs (base64url); default: the one allowCredentials names, else the newest for the RP. */
  credentialId?: string;
  /** Forces the sign counter (e.g. lower than before, to test a cloned authenticator). */
  signCount?: number;
  /** The user handle to report (base64url); null omits it. Default: the one stored at registration. */
  userHandle?: string | null;
}

/** What an attestation statement is made from (https://www.w3.org/TR/webauthn-3/#sctn-attestation). */
export interface AttestationInput {
  authData: Buffer;
  clientDataHash: Buffer;
  credentialPublicKey: KeyObject;
  credentialPrivateKey: KeyObject;
}

/** An attestation statement: its format and its CBOR map (alg, sig, x5c, ...). */
export interface AttestationStatement {
  fmt: string;
  attStmt: Map<string, number | Uint8Array | Uint8Array[]>;
}

export type Attester = (input: AttestationInput) => Promise<AttestationStatement>;

const NONE: AttestationStatement = { fmt: 'none', attStmt: new Map() };

export interface SoftCredential {
  /** base64url credential id. */
  readonly id: string;
  readonly rpId: string;
  /** base64url user handle (the `user.id` of the registration options). */
  readonly userHandle: string;
  readonly privateKey: KeyObject;
  readonly publicKeyCose: Uint8Array;
  signCount: number;
}

export interface SoftAuthenticator {
  readonly aaguid: string;
  credentials(): readonly SoftCredential[];
  /** navigator.credentials.create(): a new ES256 credential for options.user, as a RegistrationResponseJSON. */
  register(options: PublicKeyCredentialCreationOptionsJSON, overrides?: RegisterOverrides): RegistrationResponseJSON;
  /** The same with the attestation statement `attest` makes (a security key's or an Android phone's). */
  registerAttested(options: PublicKeyCredentialCreationOptionsJSON, attest: Attester, overrides?: RegisterOverrides): Promise<RegistrationResponseJSON>;
  /** navigator.credentials.get(): a signed assertion, as an AuthenticationResponseJSON. */
  assert(options: PublicKeyCredentialRequestOptionsJSON, overrides?: AssertOverrides): AuthenticationResponseJSON;
  /** Holds a copy of another authenticator's credential (a synced, shared or copied passkey), counter included. */
  adopt(credential: SoftCredential): void;
}

export function createSoftAuthenticator(settings: SoftAuthenticatorOptions): SoftAuthenticator {
  const aaguid = settings.aaguid ?? SOFT_AUTHENTICATOR_AAGUID;
  const stored: SoftCredential[] = [];
  const flagsFor = (overrides: CeremonyOverrides, attested: boolean) =>
    flagsByte({
      up: overrides.userPresent ?? settings.userPresent ?? true,
      uv: overrides.userVerified ?? settings.userVerified ?? true,
      be: settings.backupEligible ?? false,
      bs: settings.backedUp ?? false,
      at: attested,
    });

  /** A new credential's parts; `finish` wraps them with an attestation statement and keeps the credential. */
  function prepare(options: PublicKeyCredentialCreationOptionsJSON, overrides: RegisterOverrides) {
    if (!options.pubKeyCredParams.some((param) => param.alg === ES256)) {
      throw new Error('NotSupportedError: the software authenticator only makes ES256 (-7) keys');
    }
    const rpId = overrides.rpId ?? settings.rpId;
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (stored.some((c) => c.rpId === rpId && excluded.has(c.id))) {
      throw new Error('InvalidStateError: the authenticator already holds an excluded credential');
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credentialId = randomBytes(32);
    const publicKeyCose = coseEc2PublicKey(publicKey);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([flagsFor(overrides, true)]),
      uint32(0),
      uuidBytes(overrides.aaguid ?? aaguid),
      uint16(credentialId.length),
      credentialId,
      publicKeyCose,
    ]);
    const clientDataJSON = clientData(overrides.type ?? 'webauthn.create', overrides.challenge ?? options.challenge, overrides.origin ?? settings.origin);
    const input: AttestationInput = { authData, clientDataHash: sha256(clientDataJSON), credentialPublicKey: publicKey, credentialPrivateKey: privateKey };

    const finish = (statement: AttestationStatement): RegistrationResponseJSON => {
      const attestationObject = cbor(new Map<CborValue, CborValue>([['fmt', statement.fmt], ['attStmt', statement.attStmt], ['authData', authData]]));
      const credential: SoftCredential = {
        id: credentialId.toString('base64url'),
        rpId,
        userHandle: options.user.id,
        privateKey,
        publicKeyCose,
        signCount: 0,
      };
      // A resident credential replaces the one the authenticator held for the same RP and user.
      const replaced = stored.findIndex((c) => c.rpId === rpId && c.userHandle === options.user.id);
      if (replaced >= 0) stored.splice(replaced, 1);
      stored.push(credential);

      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: clientDataJSON.toString('base64url'),
          attestationObject: attestationObject.toString('base64url'),
          authenticatorData: authData.toString('base64url'),
          transports: ['internal', 'hybrid'],
          publicKeyAlgorithm: ES256,
          publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64url'),
        },
        clientExtensionResults: { credProps: { rk: true } },
        authenticatorAttachment: 'platform',
      };
    };
    return { input, finish };
  }

  return {
    aaguid,
    credentials: () => [...stored],

    register(options, overrides = {}) {
      const draft = prepare(options, overrides);
      return draft.finish(NONE);
    },

    async registerAttested(options, attest, overrides = {}) {
      const draft = prepare(options, overrides);
      return draft.finish(await attest(draft.input));
    },

    adopt(credential) {
      stored.push({ ...credential });
    },

    assert(options, overrides = {}) {
      const rpId = overrides.rpId ?? options.rpId ?? settings.rpId;
      const credential = pickCredential(stored, rpId, options, overrides.credentialId);
      credential.signCount = overrides.signCount ?? credential.signCount + 1;
      const authData = Buffer.concat([sha256(rpId), Buffer.from([flagsFor(overrides, false)]), uint32(credential.signCount)]);
      const clientDataJSON = clientData(overrides.type ?? 'webauthn.get', overrides.challenge ?? options.challenge, overrides.origin ?? settings.origin);
      const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
      const userHandle = overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: clientDataJSON.toString('base64url'),
          authenticatorData: authData.toString('base64url'),
          signature: signature.toString('base64url'),
          ...(userHandle === null ? {} : { userHandle }),
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },
  };
}

function pickCredential(
  stored: readonly SoftCredential[],
  rpId: string,
  options: PublicKeyCredentialRequestOptionsJSON,
  wanted: string | undefined,
): SoftCredential {
  const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
  const candidates = stored.filter(
    (c) => (wanted === undefined || c.id === wanted) && (allowed.size === 0 || allowed.has(c.id)) && (wanted !== undefined || c.rpId === rpId),
  );
  const credential = candidates.at(-1);
  if (!credential) throw new Error(`NotAllowedError: no credential for RP "${rpId}"${wanted ? ` with id ${wanted}` : ''}`);
  return credential;
}

function flagsByte(flags: { up: boolean; uv: boolean; be: boolean; bs: boolean; at: boolean }): number {
  return (flags.up ? 0x01 : 0) | (flags.uv ? 0x04 : 0) | (flags.be ? 0x08 : 0) | (flags.bs ? 0x10 : 0) | (flags.at ? 0x40 : 0);
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

/** COSE_Key for an EC2 P-256 public key: {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}. */
function coseEc2PublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return cbor(
    new Map<CborValue, CborValue>([
      [1, 2],
      [3, ES256],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

function uint16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

/** The CBOR subset WebAuthn needs (RFC 8949): integers, byte and text strings, arrays and maps. */
type CborValue = number | string | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

function cbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`CBOR: only integers are supported, got ${value}`);
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  const entries = [...value.entries()].flatMap(([key, item]) => [cbor(key), cbor(item)]);
  return Buffer.concat([head(5, value.size), ...entries]);
}

function head(major: number, length: number): Buffer {
  const type = major << 5;
  if (length < 24) return Buffer.from([type | length]);
  if (length < 0x100) return Buffer.from([type | 24, length]);
  if (length < 0x10000) return Buffer.concat([Buffer.from([type | 25]), uint16(length)]);
  if (length < 0x100000000) return Buffer.concat([Buffer.from([type | 26]), uint32(length)]);
  throw new Error('CBOR: lengths over 2^32 are not supported');
}
