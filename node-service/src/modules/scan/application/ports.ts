/** The WebAuthn challenge of one scan, bound to the QR code's session, round and slot. */
export interface BoundChallenge {
  challenge: string;
  sessionId: string;
  round: number;
  slot: number;
  /** The session's campus networks when the challenge was given: checked again at confirmation. */
  allowedNetworks: string[];
}

/**
 * Typed codes that led nowhere, counted per client network (address-network.ts) over a window:
 * six digits can be guessed, so a network that keeps missing stops being heard for the rest of the window.
 */
export interface TypedCodeFailures {
  /** Null while the network may still type codes; else the seconds until it may again. */
  blockedFor(network: string): Promise<number | null>;
  add(network: string): Promise<void>;
}

export interface ScanChallengeStore {
  save(challengeId: string, bound: BoundChallenge, ttlMs: number): Promise<void>;
  /** Atomic: a challenge is used once, whatever races for it. */
  take(challengeId: string): Promise<BoundChallenge | null>;
}

export interface StoredCredential {
  deviceId: number;
  studentId: string;
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  signCount: number;
  transports: string[];
}

export type CredentialLookup =
  | { state: 'active'; credential: StoredCredential }
  | { state: 'revoked' | 'flagged' }
  | null;

export interface ScanCredentials {
  lookup(credentialId: string): Promise<CredentialLookup>;
  /** False, recording nothing, when the device is no longer active or its counter is not behind `signCount`. */
  recordUse(deviceId: number, use: { signCount: number; backedUp?: boolean }): Promise<boolean>;
  flag(deviceId: number, reason: string, details?: Record<string, unknown>): Promise<boolean>;
  /** The student a verified assertion's user handle names (null if it cannot be one of ours). */
  studentIdFromUserHandle(handle: Uint8Array): string | null;
}

export interface VerifiedAssertion {
  newCounter: number;
  backedUp: boolean;
  userHandle: Uint8Array | null;
}

export interface AssertionCeremony {
  /** Options for a discoverable-credential assertion with user verification required. */
  options(timeoutMs: number): Promise<{ options: unknown; challenge: string }>;
  /** Verifies origin, RP id, challenge, user verification and signature; throws a scan error otherwise. */
  verify(input: { response: unknown; expectedChallenge: string; credential: StoredCredential }): Promise<VerifiedAssertion>;
}

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
