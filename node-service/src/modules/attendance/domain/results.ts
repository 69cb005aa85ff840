/**
 * A student's result in one session, from the rounds they confirmed. Kept current while the session runs
 * (over the rounds run so far) and final at close. A teacher's correction (excused, manually present)
 * replaces the status shown but never the computed one, which stays on record.
 */
export type ComputedStatus = 'present' | 'partial' | 'late' | 'absent';
export type CorrectedStatus = 'excused' | 'manual_present';
export type ResultStatus = ComputedStatus | CorrectedStatus;

export interface Participation {
  roundsRun: number;
  roundsConfirmed: number;
  firstConfirmedAt: Date | null;
}

export interface LateRule {
  plannedStart: Date;
  lateAfterMinutes: number;
}

export function computeStatus(participation: Participation, rule: LateRule): ComputedStatus {
  const { roundsRun, roundsConfirmed, firstConfirmedAt } = participation;
  if (roundsConfirmed === 0 || firstConfirmedAt === null) return 'absent';
  const lateFrom = rule.plannedStart.getTime() + rule.lateAfterMinutes * 60_000;
  if (firstConfirmedAt.getTime() > lateFrom) return 'late';
  return roundsConfirmed >= roundsRun ? 'present' : 'partial';
}

/** Counts toward a student's attendance rate. */
export function countsAsAttended(status: ResultStatus): boolean {
  return status !== 'absent';
}

/** The share of sessions attended, 0..1, or null with no sessions; excused sessions are left out. */
export function attendanceRate(statuses: readonly ResultStatus[]): number | null {
  const counted = statuses.filter((status) => status !== 'excused');
  if (counted.length === 0) return null;
  return counted.filter(countsAsAttended).length / counted.length;
}
