/**
 * Real attestation statements for the software authenticator (test/support/authenticator.ts), made here from
 * a test root CA, so that no binary vector is copied from elsewhere:
 *
 * - `packed` full attestation (https://www.w3.org/TR/webauthn-3/#sctn-packed-attestation), as a security key
 *   sends it: an attestation key of its own, certified by the root (subject OU "Authenticator Attestation",
 *   not a CA, the id-fido-gen-ce-aaguid extension carrying the AAGUID), signing authenticatorData ‖
 *   clientDataHash; x5c = [attestation certificate] (the root is the trust anchor, not in x5c).
 * - `android-key` (https://www.w3.org/TR/webauthn-3/#sctn-android-key-attestation), as Android's keystore
 *   sends it: the credential key itself is certified by the root, its certificate carries the key attestation
 *   extension (1.3.6.1.4.1.11129.2.1.17, KeyDescription,
 *   https://source.android.com/docs/security/features/keystore/attestation#schema) whose
 *   attestationChallenge is the clientDataHash, and the credential key signs authenticatorData ‖
 *   clientDataHash; x5c = [credential certificate, root], as Android ends its chain with the root.
 * - `packed` self attestation: no x5c, the credential key signs (what a script can always make).
 *
 * Certificates are made with @peculiar/x509 (WebCrypto), keys with node:crypto; ECDSA signatures in the
 * statements are DER, as WebAuthn wants them.
 */
// @peculiar/x509 resolves its services with tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import { createHash, generateKeyPairSync, sign, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { AttestationInput, AttestationStatement, Attester } from './authenticator.js';

// Node's WebCrypto as the library's provider (typed with the DOM's Crypto, which this project's lib leaves out).
x509.cryptoProvider.set(webcrypto as never);
type CryptoKey = webcrypto.CryptoKey;

const ES256 = -7;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A root CA of the test's own: its certificate (DER and PEM) and the key that signs what it certifies. */
export interface TestRootCa {
  readonly name: string;
  readonly certificate: x509.X509Certificate;
  readonly der: Uint8Array;
  readonly pem: string;
  readonly privateKey: CryptoKey;
}

/** `ca: false` makes a self-signed certificate that is not a CA (what a roots file must not hold). */
export async function createTestRootCa(name: string, options: { ca?: boolean } = {}): Promise<TestRootCa> {
  const ca = options.ca ?? true;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys = { privateKey: await toCryptoKey(privateKey, 'private'), publicKey: await toCryptoKey(publicKey, 'public') };
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `C=CL, O=Asistencia Tests, CN=${name}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 365 * DAY_MS),
    keys,
    signingAlgorithm: ECDSA,
    extensions: [
      new x509.BasicConstraintsExtension(ca, undefined, true),
      new x509.KeyUsagesExtension(ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  return { name, certificate, der: new Uint8Array(certificate.rawData), pem: certificate.toString('pem'), privateKey: keys.privateKey };
}

/**
 * A security key's 'packed' full attestation, its attestation certificate issued by `root`. `wrongSignature`
 * signs other bytes than authenticatorData ‖ clientDataHash (a statement whose signature does not check).
 */
export function packedAttestation(root: TestRootCa, aaguid: string, options: { wrongSignature?: boolean } = {}): Attester {
  return async (input: AttestationInput): Promise<AttestationStatement> => {
    const attestationKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certificate = await issue(root, attestationKey.publicKey, 'C=CL, O=Asistencia Tests, OU=Authenticator Attestation, CN=Test Security Key', [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // id-fido-gen-ce-aaguid: an OCTET STRING of the AAGUID's 16 bytes.
      new x509.Extension('1.3.6.1.4.1.45724.1.1.4', false, der(0x04, uuidBytes(aaguid))),
    ]);
    return {
      fmt: 'packed',
      attStmt: new Map<string, number | Uint8Array | Uint8Array[]>([
        ['alg', ES256],
        ['sig', signed(options.wrongSignature ? { ...input, clientDataHash: Buffer.alloc(32) } : input, attestationKey.privateKey)],
        ['x5c', [new Uint8Array(certificate.rawData)]],
      ]),
    };
  };
}

/** 'packed' self attestation: no certificate, the credential key signs for itself (it proves nothing of the hardware). */
export function packedSelfAttestation(): Attester {
  return async (input) => ({
    fmt: 'packed',
    attStmt: new Map<string, number | Uint8Array | Uint8Array[]>([
      ['alg', ES256],
      ['sig', signed(input, input.credentialPrivateKey)],
    ]),
  });
}

/**
 * An Android phone's 'android-key' attestation: the credential key's certificate, issued by `root`, with the
 * key attestation extension. `challenge` replaces the clientDataHash in it (to make a wrong one on purpose).
 */
export function androidKeyAttestation(root: TestRootCa, options: { challenge?: Uint8Array } = {}): Attester {
  return async (input: AttestationInput): Promise<AttestationStatement> => {
    const certificate = await issue(root, input.credentialPublicKey, 'CN=Android Keystore Key', [
      new x509.Extension('1.3.6.1.4.1.11129.2.1.17', false, keyDescription(options.challenge ?? input.clientDataHash)),
    ]);
    return {
      fmt: 'android-key',
      attStmt: new Map<string, number | Uint8Array | Uint8Array[]>([
        ['alg', ES256],
        ['sig', signed(input, input.credentialPrivateKey)],
        ['x5c', [new Uint8Array(certificate.rawData), root.der]],
      ]),
    };
  };
}

/** The statement's signature: over authenticatorData ‖ clientDataHash, ECDSA P-256 SHA-256, DER. */
function signed(input: AttestationInput, key: KeyObject): Uint8Array {
  return new Uint8Array(sign('sha256', Buffer.concat([input.authData, input.clientDataHash]), key));
}

async function issue(root: TestRootCa, publicKey: KeyObject, subject: string, extensions: x509.Extension[]): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: root.certificate.subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    publicKey: await toCryptoKey(publicKey, 'public'),
    signingKey: root.privateKey,
    signingAlgorithm: ECDSA,
    extensions,
  });
}

/**
 * KeyDescription ::= SEQUENCE { attestationVersion INTEGER, attestationSecurityLevel ENUMERATED,
 * keyMintVersion INTEGER, keyMintSecurityLevel ENUMERATED, attestationChallenge OCTET STRING,
 * uniqueId OCTET STRING, softwareEnforced AuthorizationList, hardwareEnforced AuthorizationList }: version
 * 200 (KeyMint 2), both levels TrustedEnvironment (1); the TEE enforces purpose [1] SET { SIGN (2) } and
 * algorithm [2] EC (3). No allApplications [600] anywhere (WebAuthn forbids it).
 */
function keyDescription(challenge: Uint8Array): Uint8Array {
  const integer = (value: number) => der(0x02, Uint8Array.of(value >> 8, value & 0xff).subarray(value < 0x80 ? 1 : 0));
  const enumerated = (value: number) => der(0x0a, Uint8Array.of(value));
  const hardwareEnforced = der(0x30, concat(der(0xa1, der(0x31, integer(2))), der(0xa2, integer(3))));
  return der(
    0x30,
    concat(integer(200), enumerated(1), integer(200), enumerated(1), der(0x04, challenge), der(0x04, new Uint8Array()), der(0x30, new Uint8Array()), hardwareEnforced),
  );
}

/** One DER TLV (short or long form length). */
function der(tag: number, content: Uint8Array): Uint8Array {
  const length = content.length;
  const header = length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : [tag, 0x82, length >> 8, length & 0xff];
  return concat(Uint8Array.from(header), content);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function uuidBytes(uuid: string): Uint8Array {
  return new Uint8Array(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}

function serial(): string {
  return createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 16).replace(/^[89a-f]/, '1');
}

async function toCryptoKey(key: KeyObject, kind: 'private' | 'public'): Promise<CryptoKey> {
  return kind === 'private'
    ? webcrypto.subtle.importKey('pkcs8', key.export({ format: 'der', type: 'pkcs8' }), ECDSA, true, ['sign'])
    : webcrypto.subtle.importKey('spki', key.export({ format: 'der', type: 'spki' }), ECDSA, true, ['verify']);
}
