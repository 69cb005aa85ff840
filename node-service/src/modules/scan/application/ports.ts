import type { SharingEvidence, Use } from '../domain/sharing.js';
/**
 * The WebAuthn challenge of one scan, bound to the QR code's session, round and slot, to the phone that
 * asked for it and to that phone's client network.
 */
export interface BoundChallenge {
  challenge: string;
  sessionId: string;
  round: number;
  slot: number;
  /** The session's campus networks when the challenge was given: checked again at confirmation. */
  allowedNetworks: string[];
  /** The phone key that signed the request: it must sign the answer too. */
  phoneKeyId: string;
  /**
   * The active devices bound to that phone key, as they were read for the challenge: only their passkeys
   * may answer, and the confirmation uses these rows instead of reading them again (its transaction checks
   * that the device is still active and its counter still behind).
   */
  devices: ScanDevice[];
  /** The client network that asked (address-network.ts): the answer must come from the same one. */
  network: string;
}

/**
 * Typed codes tried per client network (address-network.ts) over a window: six digits can be guessed, so a
 * network that keeps missing stops being heard for the rest of the window.
 */
export interface TypedCodeAttempts {
  /**
   * Counts this attempt before the code is looked at, against the phone's budget first and then its
   * network's high ceiling; null while both allow it, else the seconds to wait.
   */
  begin(phoneKeyId: string, network: string): Promise<number | null>;
  /** A right code gives its attempt back. */
  succeeded(phoneKeyId: string, network: string): Promise<void>;
}

/** Recent uses of phone keys and students' confirmations, to see one device used in two places or at once. */
export interface SharingWatch {
  /** Records this challenge request of the phone key; the evidence of sharing it reveals, if any. */
  asked(phoneKeyId: string, use: Use): Promise<SharingEvidence | null>;
  /** The phone key's challenge was answered: its next request is not "at once". */
  answered(phoneKeyId: string): Promise<void>;
  /** Records a confirmation; for a student already confirmed in the round from another network, the evidence. */
  confirmed(key: { sessionId: string; round: number; studentId: string }, use: Use, outcome: 'confirmed' | 'already_confirmed'): Promise<SharingEvidence | null>;
}

/**
 * Challenge requests per client network per minute, in two budgets that cannot spend each other: requests an
 * enrolled phone signed, and requests nobody enrolled signed (made-up keys, bad signatures, replays).
 * Each answers null while its budget allows the request, else the seconds to wait.
 */
export interface NetworkBudgets {
  proven(network: string): Promise<number | null>;
  unproven(network: string): Promise<number | null>;
}

/** Signed challenge requests of one phone: each nonce served once, and a budget per phone key per minute. */
export interface PhoneRequests {
  /** 'replayed' for a nonce used before; a number: the seconds until this phone key may ask again. */
  admit(phoneKeyId: string, nonce: string, ttlMs: number): Promise<'admitted' | 'replayed' | number>;
}

export interface ScanChallengeStore {
  save(challengeId: string, bound: BoundChallenge, ttlMs: number): Promise<void>;
  /** Atomic: a challenge is used once, whatever races for it. */
  take(challengeId: string): Promise<BoundChallenge | null>;
}

/**
 * A passkey as the scan sees it: the enrolled device behind a credential id, the phone key it is bound to,
 * and the alerts it carries. Implemented by the enrollment module (its credentials adapter).
 */
export interface ScanDevice {
  deviceId: number;
  studentId: string;
  credentialId: string;
  /** COSE public key. */
  publicKey: Uint8Array<ArrayBuffer>;
  signCount: number;
  transports: string[];
  state: 'active' | 'flagged' | 'revoked';
  /** Null until the student binds a phone key (devices enrolled before the phone binding). */
  phoneKeyId: string | null;
  /** SubjectPublicKeyInfo (DER). */
  phonePublicKey: Uint8Array | null;
  /** What the teacher should see on its confirmations: alert reasons, and 'rebound_recently'. */
  alerts: string[];
}

export interface ScanCredentials {
  /**
   * Every device bound to a phone key, revoked ones included (one in use, unless ENROLLMENT_SHARED_PHONE=flag
   * let more in); none for a phone that never enrolled.
   */
  boundToPhone(phoneKeyId: string): Promise<ScanDevice[]>;
  /** The device behind a credential id, whatever its state; null when unknown. */
  byCredentialId(credentialId: string): Promise<ScanDevice | null>;
  flag(deviceId: number, reason: string, details?: Record<string, unknown>): Promise<boolean>;
  /** Raises the `shared_device` alert on a device, with its evidence: it then shows in "devices to review". */
  alertShared(deviceId: number, details: Record<string, unknown>): Promise<void>;
  /** The student a verified assertion's user handle names (null if it cannot be one of ours). */
  studentIdFromUserHandle(handle: Uint8Array): string | null;
}

interface VerifiedAssertion {
  newCounter: number;
  backedUp: boolean;
  userHandle: Uint8Array | null;
}

export interface AssertionCeremony {
  /** Options naming the passkeys that may answer, with user verification required. */
  options(timeoutMs: number, devices: readonly ScanDevice[]): Promise<{ options: Record<string, unknown>; challenge: string }>;
  /** Verifies origin, RP id, challenge, user verification and signature; throws a scan error otherwise. */
  verify(input: { response: unknown; expectedChallenge: string; device: ScanDevice }): Promise<VerifiedAssertion>;
}

/** A phone-key signature check (shared/phone-key.ts): true only for a valid signature by that key. */
export type PhoneSignatureCheck = (phonePublicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export interface ScanSession {
  id: string;
  courseName: string;
  room: string;
  state: 'scheduled' | 'open' | 'closed';
  currentRound: number | null;
  rotationPeriodMs: number;
  graceMs: number;
  allowedNetworks: string[];
}

/**
 * The signed evidence of a recorded confirmation, kept as a receipt (the evidence module): the assertion as
 * the phone sent it, the phone-key signature, the challenge and its binding, and the keys that checked them.
 */
export interface ScanEvidence {
  sessionId: string;
  round: number;
  slot: number;
  studentId: string;
  deviceId: number;
  credentialId: string;
  devicePublicKey: Uint8Array;
  phonePublicKey: Uint8Array;
  challengeId: string;
  challenge: string;
  assertion: unknown;
  phoneSignature: Uint8Array;
}

export interface ScanReceipts {
  /** The receipt as the confirmation's own statement keeps it: a confirmation is never committed without it. */
  document(evidence: ScanEvidence): Record<string, unknown>;
}
