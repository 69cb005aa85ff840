import { distribution, type Distribution } from '../support/stats.js';
import type { ScanRecord } from './protocol.js';

/** What one burst of scans gave, from the load generator's records. */
export interface BurstFigures {
  students: number;
  /** Answers "confirmed". */
  successes: number;
  /** Answers "already confirmed" (none expected: each student scans once). */
  alreadyConfirmed: number;
  /** Every other outcome, by where it failed and its code (e.g. `confirm:SCAN_CHALLENGE_INVALID`). */
  errors: Record<string, number>;
  /** From the common start to the last answer. */
  wallMs: number;
  confirmedPerSecond: number;
  /** The whole two-step scan of a confirmed student: challenge sent → confirmation received (includes signing). */
  scan: Distribution;
  /** The confirm request alone: sent → answered. */
  confirm: Distribution;
  /** The challenge request alone: sent → answered. */
  challenge: Distribution;
  /** On the phone (load process): challenge answered → assertion signed and confirm about to be sent. */
  sign: Distribution;
  /** How long after the common start the load processes had sent the last student's first request. */
  lastStartMs: number;
  /** Confirmed students whose confirm went to the other instance than their challenge. */
  crossInstance: number;
  /** Rows in attendance.validations for the round, counted after the burst; must equal `successes`. */
  committedRows: number;
}

const round1 = (values: number[]) => values.map((v) => Math.round(v * 10) / 10);

export function analyseBurst(records: readonly ScanRecord[], startAt: number): BurstFigures {
  const confirmed = records.filter((r) => r.outcome === 'confirmed');
  const errors: Record<string, number> = {};
  for (const r of records) if (r.outcome !== 'confirmed' && r.outcome !== 'already_confirmed') errors[r.outcome] = (errors[r.outcome] ?? 0) + 1;
  const wallMs = Math.max(...records.map((r) => r.endedAt)) - startAt;
  const challenged = records.filter((r) => Number.isFinite(r.challengedAt));
  return {
    students: records.length,
    successes: confirmed.length,
    alreadyConfirmed: records.filter((r) => r.outcome === 'already_confirmed').length,
    errors,
    wallMs,
    confirmedPerSecond: (confirmed.length / wallMs) * 1000,
    scan: distribution(round1(confirmed.map((r) => r.endedAt - r.startedAt))),
    confirm: distribution(round1(confirmed.map((r) => r.endedAt - r.signedAt))),
    challenge: distribution(round1(challenged.map((r) => r.challengedAt - r.startedAt))),
    sign: distribution(round1(confirmed.map((r) => r.signedAt - r.challengedAt))),
    lastStartMs: Math.max(...records.map((r) => r.startedAt)) - startAt,
    crossInstance: confirmed.filter((r) => r.crossInstance).length,
    committedRows: NaN,
  };
}
