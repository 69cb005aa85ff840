/** What the scan benchmark and its load-generator processes say to each other over the IPC channel. */

/** Students this process plays, each with its own phone (soft authenticator), enrolled through the API. */
export interface EnrollRequest {
  type: 'enrol';
  /** The service the students enrol on, e.g. http://127.0.0.1:4321 */
  baseUrl: string;
  /** The origin and RP id the phones' browser reports: the service's PUBLIC_URL. */
  origin: string;
  rpId: string;
  students: Array<{ index: number; portalToken: string }>;
  concurrency: number;
}

/** One scan to make: the QR token, then challenge on one instance and confirm on one (maybe the other). */
export interface PlannedScan {
  index: number;
  challengeBase: string;
  confirmBase: string;
  /** When this student starts, after the burst's start (ms): 0 for all at once, spread for an arrival window. */
  offsetMs: number;
}

export interface BurstRequest {
  type: 'burst';
  label: string;
  /** The QR token on the projector: the same for the whole classroom. */
  qrToken: string;
  /** Wall-clock time (ms since the epoch) the burst starts: each student starts at startAt + offsetMs. */
  startAt: number;
  /** At most this many scans in flight (the whole share of this process, for the burst). */
  concurrency: number;
  scans: PlannedScan[];
}

export type ParentMessage = EnrollRequest | BurstRequest | { type: 'stop' };

/** One student's two-step scan, timed with the load generator's clock (ms since the epoch, sub-ms). */
export interface ScanRecord {
  index: number;
  /** Sending the challenge request. */
  startedAt: number;
  /** The challenge answer received (NaN when the scan never got that far). */
  challengedAt: number;
  /** The assertion signed and the confirm request about to be sent. */
  signedAt: number;
  /** The confirm answer received, or the failure. */
  endedAt: number;
  /** 'confirmed', 'already_confirmed', or where it failed and why: 'challenge:SCAN_CODE_EXPIRED', 'confirm:500', 'confirm:ECONNRESET'. */
  outcome: string;
  crossInstance: boolean;
}

export type ClientMessage =
  | { type: 'enrolled'; enrolled: number; failures: string[]; ms: number }
  | { type: 'burst-done'; label: string; records: ScanRecord[]; cpuSeconds: number };
