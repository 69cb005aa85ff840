/**
 * A student's result in one session, from the rounds they confirmed. Kept current while the session runs
 * (over the rounds run so far) and final at close. A teacher's correction (excused, manually present,
 * manually absent) replaces the status shown but never the computed one, which stays on record.
 *
 * The computed status (late: first confirmation after the session's threshold; present: every round run;
 * partial: some; absent: none) is decided by PostgreSQL, attendance.computed_status in
 * database/functions/attendance.computed_status.sql, in the very statement that records a confirmation; test/scan/status-rule.test.ts
 * pins it.
 */
type ComputedStatus = 'present' | 'partial' | 'late' | 'absent';
type CorrectedStatus = 'excused' | 'manual_present' | 'manual_absent';
export type ResultStatus = ComputedStatus | CorrectedStatus;

/**
 * What a late or partial ("Parcial": some rounds confirmed, not all) class is worth, as a fraction of a class
 * attended, set by each course's grade policy (domain/grade-policy.ts). A class attended on time is 1, an
 * absence 0; both 1 by default, as every course counted them before grade policies.
 */
export interface StatusPoints {
  late: number;
  partial: number;
}

const WHOLE: StatusPoints = { late: 1, partial: 1 };

/** Counts toward a student's attendance rate (at least in part). */
export function countsAsAttended(status: ResultStatus): boolean {
  return status !== 'absent' && status !== 'manual_absent';
}

/** How much of a class a status attends: 1 or 0, and for `late` and `partial` what the course's policy says. */
export function attendedCredit(status: ResultStatus, points: StatusPoints = WHOLE): number {
  if (!countsAsAttended(status)) return 0;
  if (status === 'partial') return points.partial;
  if (status === 'late') return points.late;
  return 1;
}

/** The share of sessions attended, 0..1, or null with no sessions; excused sessions are left out. */
export function attendanceRate(statuses: readonly ResultStatus[], points: StatusPoints = WHOLE): number | null {
  const counted = statuses.filter((status) => status !== 'excused');
  if (counted.length === 0) return null;
  return counted.reduce((sum, status) => sum + attendedCredit(status, points), 0) / counted.length;
}
