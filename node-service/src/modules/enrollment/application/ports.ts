import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Actor, Device, HistoryEntry, NewCredential } from '../domain/device.js';
import type { Standing } from '../domain/policy.js';

export type CreationOptions = PublicKeyCredentialCreationOptionsJSON;
export type RegistrationResponse = RegistrationResponseJSON;

/** The WebAuthn registration ceremony (SimpleWebAuthn in production). */
export interface RegistrationCeremony {
  /** Options for `navigator.credentials.create()`, carrying a fresh challenge. */
  options(input: {
    userHandle: Uint8Array<ArrayBuffer>;
    userName: string;
    displayName: string;
    exclude: ReadonlyArray<{ credentialId: string; transports: string[] }>;
  }): Promise<CreationOptions>;
  /** The challenge a response claims to answer; ENROLLMENT_RESPONSE_MALFORMED when it cannot be read. */
  challengeOf(response: RegistrationResponse): string;
  /** Checks origin, RP id, presence, verification and attestation; a coded refusal for each defect. */
  verify(response: RegistrationResponse, expectedChallenge: string): Promise<NewCredential>;
}

export type ChallengeOutcome = 'accepted' | 'expired' | 'already_used' | 'not_yours' | 'superseded';

/** Pending enrolment challenges (Valkey): one per student, consumed at most once. */
export interface ChallengeStore {
  /** Replaces the student's pending challenge, if any. */
  issue(studentId: string, challenge: string): Promise<void>;
  /** Atomically consumes the student's pending challenge; only 'accepted' lets the enrolment go on. */
  consume(studentId: string, challenge: string): Promise<ChallengeOutcome>;
}

export interface EnrolInput {
  studentId: string;
  name: string;
  credential: NewCredential;
  actor: Actor;
  details: Record<string, unknown>;
}

/** enrollment.devices and enrollment.enrollment_history: every change writes its history row with it. */
export interface DeviceRepository {
  listByStudent(studentId: string): Promise<Device[]>;
  findById(deviceId: number): Promise<Device | null>;
  findByCredentialId(credentialId: string): Promise<Device | null>;
  findByCredentialPrefix(prefix: string, limit: number): Promise<Device[]>;
  standing(studentId: string): Promise<Standing>;
  history(studentId: string, limit: number): Promise<HistoryEntry[]>;
  /**
   * One transaction, serialised per student: reads the standing, lets `check` refuse (it throws), then
   * stores the device and its 'enrolled' row. ENROLLMENT_CREDENTIAL_ALREADY_ENROLLED for a known credential.
   */
  enrol(input: EnrolInput, check: (standing: Standing) => void): Promise<Device>;
  /** Null when the device does not exist or is revoked. */
  rename(deviceId: number, name: string, actor: Actor): Promise<Device | null>;
  /** Null when the device does not exist or is already revoked. */
  revoke(deviceId: number, reason: string, actor: Actor): Promise<Device | null>;
  /** Writes the 'reset' row that restarts the cooldown sequence. */
  reset(studentId: string, reason: string, actor: Actor): Promise<void>;
  /** Null when the device was not active. */
  flag(deviceId: number, reason: string, actor: Actor, details: Record<string, unknown>): Promise<Device | null>;
  /** False when the device is no longer active, or its counter is not behind `signCount` any more. */
  recordUse(deviceId: number, use: { signCount: number; backedUp?: boolean }): Promise<boolean>;
}
