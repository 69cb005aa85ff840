import { attendanceRate, countsAsAttended, type ResultStatus } from './results.js';
import { statusTotals, type StatusTotals } from './report.js';
import { PERCENT_EPSILON } from '../../../shared/percent.js';

export { percentProblem as minimumPercentProblem } from '../../../shared/percent.js';

/**
 * A student's standing in a course against its minimum attendance: the one definition behind the course
 * export's totals and rate, the teacher's "at risk" list and the student's own page.
 *
 * Each session of the course that concerns the student is one outcome: its status once decided (the session
 * closed and the result is final), or `pending` while it is still to come (scheduled) or in progress (a
 * class running: Pendiente, left out of the rate whatever it shows so far).
 *
 * - rate: attended / counted over the decided sessions (present, late, partial and manual presence attend;
 *   absent does not; excused sessions are left out); null with none counted.
 * - planned: the counted sessions plus the pending ones, i.e. every session planned so far that may count.
 * - allowedAbsences: floor((100 % − minimum) × planned): absences the planned sessions can hold while the
 *   rate at their end still reaches the minimum.
 * - absencesLeft: allowedAbsences − absences so far, never below 0: how many more absences the student can
 *   afford among the planned sessions. Sessions the teacher has not planned yet are not guessed at.
 * - atRisk: the rate is below the minimum, or the student has missed at least one session and can afford no
 *   more. With a minimum of 0 % nobody is at risk; a student who has missed nothing is never listed only
 *   because few sessions are planned yet.
 */
export type Outcome = ResultStatus | 'pending';

type RiskReason = 'below_minimum' | 'no_absences_left';

export interface Standing {
  rate: number | null;
  /** Decided sessions by status (manual presence as present). */
  totals: StatusTotals;
  attended: number;
  /** Decided sessions that count toward the rate (excused left out). */
  counted: number;
  absences: number;
  /** Sessions still to come or in progress. */
  pending: number;
  planned: number;
  allowedAbsences: number;
  absencesLeft: number;
  atRisk: boolean;
  reason: RiskReason | null;
}

export function standing(outcomes: readonly Outcome[], minimumPercent: number): Standing {
  const decided = outcomes.filter((o): o is ResultStatus => o !== 'pending');
  const counted = decided.filter((status) => status !== 'excused');
  const attended = counted.filter(countsAsAttended).length;
  const absences = counted.length - attended;
  const pending = outcomes.length - decided.length;
  const planned = counted.length + pending;
  const allowedAbsences = Math.floor((planned * (100 - minimumPercent)) / 100 + PERCENT_EPSILON);
  const absencesLeft = Math.max(0, allowedAbsences - absences);
  const below = counted.length > 0 && attended * 100 < minimumPercent * counted.length - PERCENT_EPSILON;
  const noneLeft = minimumPercent > 0 && absences > 0 && absencesLeft === 0;
  const reason: RiskReason | null = below ? 'below_minimum' : noneLeft ? 'no_absences_left' : null;
  return {
    rate: attendanceRate(decided),
    totals: statusTotals(decided),
    attended,
    counted: counted.length,
    absences,
    pending,
    planned,
    allowedAbsences,
    absencesLeft,
    atRisk: reason !== null,
    reason,
  };
}

/** What a result counts as in a standing: its status once final, pending while its session runs. */
export function outcomeOf(result: { status: ResultStatus; final: boolean }): Outcome {
  return result.final ? result.status : 'pending';
}

export type PlannedState = 'scheduled' | 'open' | 'closed';

/**
 * One student's outcomes over a course's sessions (in the sessions' order): each result as decided or
 * pending; with no result, a session still to come or running is pending for a student on the course's
 * roster, and a closed one is not theirs (they joined the course later, or came once as a walk-in).
 */
export function outcomesOf(
  sessions: ReadonlyArray<{ id: string; state: PlannedState }>,
  results: ReadonlyMap<string, { status: ResultStatus; final: boolean }>,
  onRoster: boolean,
): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const session of sessions) {
    const result = results.get(session.id);
    if (result) outcomes.push(outcomeOf(result));
    else if (session.state !== 'closed' && onRoster) outcomes.push('pending');
  }
  return outcomes;
}

/** The last `count` decided outcomes, oldest first: a student's recent trend. */
export function recentOutcomes(outcomes: readonly Outcome[], count: number): ResultStatus[] {
  return outcomes.filter((o): o is ResultStatus => o !== 'pending').slice(-count);
}
