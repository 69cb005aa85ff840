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

/** Where a challenge request stops once its budgets are spent, as PostgreSQL, the signature and the code said. */
export type RequestStop =
  /** No active device on that phone: revoked or flagged. */
  | 'devices'
  /** The code (or typed code) is not live. */
  | 'code'
  /** The session refuses it (closed, another round, another network). */
  | 'session';

/** A signed challenge request of an enrolled phone, with what the scan decided before asking Valkey. */
interface AdmissionRequest {
  phoneKeyId: string;
  nonce: string;
  network: string;
  /** A typed fallback code: its attempt is counted (and given back when the code is right). */
  typed: boolean;
}

/** Everything the admission needs to store the challenge, if nothing refuses it. */
export interface ChallengeToKeep {
  challengeId: string;
  bound: BoundChallenge;
  /** This request (client network, arrival) and the phone key's latest one, as `lastUse` read it. */
  use: Use;
  previousUse: Use | null;
}

export type Admission = AdmissionRequest & ({ stopsAt: RequestStop } | { stopsAt: 'offer'; offer: ChallengeToKeep });

export type AdmissionVerdict =
  /** The nonce was served before; the network's budget for unproven requests was spent (its wait if over). */
  | { kind: 'replayed'; waitSeconds: number | null }
  /** A budget is spent (the phone's, the network's, a typed code's): the seconds to wait. */
  | { kind: 'limited'; waitSeconds: number }
  /** The budgets are spent and the request stops where the admission said (`stopsAt`). */
  | { kind: 'stopped' }
  /** Refused by SHARING_POLICY=refuse for this evidence; nothing of this use was kept. */
  | { kind: 'shared'; evidence: SharingEvidence }
  /** The challenge is kept; the evidence of sharing it carries (its devices then carry the alert), if any. */
  | { kind: 'offered'; evidence: SharingEvidence | null };

/**
 * The scan's short-lived state (Valkey), in as few round trips as the scan allows: a challenge reads once
 * (`lastUse`, written with the code's own read) and decides once (`admit`, or `unproven`); a confirmation
 * takes its challenge once and says it was answered once. Budgets per minute: SCAN_REQUESTS_PER_PHONE_PER_MINUTE,
 * RATE_LIMIT_SCAN_PER_MINUTE (requests enrolled phones signed, per client network),
 * RATE_LIMIT_SCAN_UNKNOWN_PHONE_PER_MINUTE (the rest), FALLBACK_CODE_FAILURES_PER_MINUTE (wrong typed codes
 * per phone) and FALLBACK_CODE_FAILURES_PER_ADDRESS_PER_MINUTE (per network, a ceiling).
 */
export interface ScanState {
  /** The phone key's latest challenge request (null when SHARING_WINDOW_SECONDS is 0 or there was none). */
  lastUse(phoneKeyId: string): Promise<Use | null>;
  /** A request no enrolled phone signed spends its network's small budget: null while it allows, else the wait. */
  unproven(network: string): Promise<number | null>;
  /**
   * In one step: the nonce served once, the phone's and the network's budgets, a typed code's attempt, the
   * sharing marks (two places, two at once) and the challenge kept for SCAN_CHALLENGE_TTL_SECONDS.
   */
  admit(admission: Admission): Promise<AdmissionVerdict>;
  /** Atomic: a challenge is used once, whatever races for it. */
  take(challengeId: string): Promise<BoundChallenge | null>;
  /**
   * The phone key's challenge was answered (its next request is not "at once"); with a confirmation, where
   * it came from is recorded, or, for a student already confirmed in the round, compared: the evidence of
   * a confirmation from another network, if any.
   */
  answered(
    phoneKeyId: string,
    confirmation?: { key: { sessionId: string; round: number; studentId: string }; use: Use; outcome: 'confirmed' | 'already_confirmed' },
  ): Promise<SharingEvidence | null>;
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
