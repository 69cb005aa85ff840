import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Actor, Device, HistoryAction, HistoryEntry, NewCredential, PhoneKey } from '../domain/device.js';
import type { RebindRecord, Standing, Verdict } from '../domain/policy.js';

export type CreationOptions = PublicKeyCredentialCreationOptionsJSON;

/** The signed-in student, as the verified portal token says. */
export interface Student {
  id: string;
  name: string;
}
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

/** Pending enrolment or re-binding challenges (Valkey): one per student and purpose, consumed at most once. */
export interface ChallengeStore {
  /** Replaces the student's pending challenge, if any. */
  issue(studentId: string, challenge: string): Promise<void>;
  /** Atomically consumes the student's pending challenge; only 'accepted' lets the enrolment go on. */
  consume(studentId: string, challenge: string): Promise<ChallengeOutcome>;
}

export interface EnrollInput {
  studentId: string;
  name: string;
  credential: NewCredential;
  phoneKey: PhoneKey;
  actor: Actor;
  details: Record<string, unknown>;
}

interface RebindInput {
  studentId: string;
  deviceId: number;
  phoneKey: PhoneKey;
  actor: Actor;
}

export interface AuditEntry {
  studentId: string;
  deviceId: number | null;
  action: HistoryAction;
  actor: Actor;
  reason: string | null;
  details?: Record<string, unknown>;
}

/** enrollment.devices and enrollment.enrollment_history: every change writes its history row with it. */
export interface DeviceRepository {
  listByStudent(studentId: string): Promise<Device[]>;
  findById(deviceId: number): Promise<Device | null>;
  findByCredentialId(credentialId: string): Promise<Device | null>;
  findByCredentialPrefix(prefix: string, limit: number): Promise<Device[]>;
  /** Every device bound to a phone key, revoked ones included. */
  findByPhoneKey(phoneKeyId: string): Promise<Device[]>;
  /** Flagged devices first, then active ones with alerts. */
  needingAttention(limit: number): Promise<Device[]>;
  standing(studentId: string): Promise<Standing>;
  history(studentId: string, limit: number): Promise<HistoryEntry[]>;
  /** A history row on its own (a refusal, which stores nothing else). */
  audit(entry: AuditEntry): Promise<void>;
  /**
   * One transaction, serialised per student and per phone key: reads the standing and the other students
   * bound to the phone key, lets `decide` refuse (it throws) or name alerts, then stores the device, its
   * 'enrolled' row and the alerts. ENROLLMENT_CREDENTIAL_ALREADY_ENROLLED for a known credential.
   */
  enroll(input: EnrollInput, decide: (context: { standing: Standing; sharedWith: string[] }) => Verdict): Promise<Device>;
  /**
   * Binds a new phone key to the student's active device, likewise serialised: `decide` sees the device, its
   * re-bindings since the student's last reset (30 days at most) and the other students on the new key. Null
   * when the device is not the student's or not active. Writes the 'rebound' row and the alerts.
   */
  rebind(
    input: RebindInput,
    decide: (context: { device: Device; rebinds: RebindRecord; sharedWith: string[] }) => Verdict,
  ): Promise<Device | null>;
  /** Null when the device does not exist or is revoked. */
  rename(deviceId: number, name: string, actor: Actor): Promise<Device | null>;
  /** Null when the device does not exist or is already revoked. */
  revoke(deviceId: number, reason: string, actor: Actor): Promise<Device | null>;
  /** Writes the 'reset' row that restarts the cooldown sequence. */
  reset(studentId: string, reason: string, actor: Actor): Promise<void>;
  /** Raises (or refreshes) an alert on a device and writes its 'alerted' row; nothing when it does not exist. */
  raiseAlert(deviceId: number, alert: Verdict['alerts'][number], actor: Actor): Promise<void>;
  /** Null when the device was not active. */
  flag(deviceId: number, reason: string, actor: Actor, details: Record<string, unknown>): Promise<Device | null>;
  /** False when the device is no longer active, or its counter is not behind `signCount` any more. */
  recordUse(deviceId: number, use: { signCount: number; backedUp?: boolean }): Promise<boolean>;
}

/** Someone the portal knows, as the admin's pages name them. */
export interface KnownPerson {
  id: string;
  name: string;
  username: string;
  role: 'student' | 'teacher' | 'admin';
}

/**
 * The portal's directory of people (the directory module implements it): the one source of names; this
 * module keeps none.
 */
export interface PeopleDirectory {
  searchStudents(query: string, limit: number): Promise<Array<{ id: string; name: string; username: string }>>;
  people(ids: readonly string[]): Promise<KnownPerson[]>;
}
