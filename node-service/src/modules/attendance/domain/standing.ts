import { attendanceRate, attendedCredit, type ResultStatus, type StatusPoints } from './results.js';
import { statusTotals, type StatusTotals } from './report.js';
import { PERCENT_EPSILON } from '../../../shared/percent.js';

export { percentProblem as minimumPercentProblem } from '../../../shared/percent.js';

/**
 * A student's standing in a course against its minimum attendance: the one definition behind the course
 * export's totals and rate, the teacher's course page (every student) and "at risk" list, and the student's
 * own page.
 *
 * Each session of the course that concerns the student is one outcome: its status once decided (the session
 * closed and the result is final), or `pending` while it is still to come (scheduled) or in progress (a
 * class running: Pendiente, left out of the rate whatever it shows so far).
 *
 * - rate: attended / counted over the decided sessions (present, late and manual presence attend, partial
 *   and late as the course's grade policy says, a fraction of a class: domain/grade-policy.ts; absent does not; excused sessions,
 *   "Justificado", are left out: a justified absence is no absence); null with none counted. With a
 *   fraction, attended and absences may hold one.
 * - planned: the counted sessions plus the pending ones, i.e. every session planned so far that may count.
 * - allowedAbsences: floor((100 % − minimum) × planned): absences the planned sessions can hold while the
 *   rate at their end still reaches the minimum.
 * - absencesLeft: allowedAbsences − absences so far, never below 0: how many more absences the student can
 *   afford among the planned sessions. Sessions the teacher has not planned yet are not guessed at.
 * - projectedAbsences: the absences at the end of the planned sessions if the student's absence rate so far
 *   (absences / counted) goes on over the pending ones; null with nothing counted.
 * - earlyTerm: fewer than `earlyTermSessions` sessions have counted: too few to judge a pace by, and the
 *   pages word the standing as the absences left, never as "below the minimum".
 * - atRisk, with its reason:
 *   - `out_of_reach`: more absences than the planned sessions can hold: the minimum cannot be reached even
 *     attending every class left (unless absences are justified);
 *   - `pace`: past the early term, the absence rate so far, if it goes on, ends below the minimum;
 *   - `few_absences_left`: the student has missed a class and can afford at most `warnMargin` more
 *     (ATTENDANCE_WARN_MARGIN).
 *   With a minimum of 0 % nobody is at risk; a student who has missed nothing never is.
 */
export type Outcome = ResultStatus | 'pending';

type RiskReason = 'out_of_reach' | 'pace' | 'few_absences_left';

/** How far ahead the rule warns (ATTENDANCE_WARN_MARGIN) and how long the term is young (ATTENDANCE_EARLY_TERM_SESSIONS). */
export interface StandingRule {
  minimumPercent: number;
  warnMargin: number;
  earlyTermSessions: number;
  /** What a late and a partial class are worth in this course (its grade policy; both 1 by default). */
  points?: StatusPoints;
}

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
  /** Absences at the end of the planned sessions at the pace so far (one decimal); null with nothing counted. */
  projectedAbsences: number | null;
  earlyTerm: boolean;
  atRisk: boolean;
  reason: RiskReason | null;
}

function riskOf(rule: StandingRule, facts: { counted: number; absences: number; planned: number; allowedAbsences: number; projected: number | null }): RiskReason | null {
  const { counted, absences, planned, allowedAbsences, projected } = facts;
  if (rule.minimumPercent <= 0 || absences === 0) return null;
  if (absences > allowedAbsences) return 'out_of_reach';
  const early = counted < rule.earlyTermSessions;
  const allowedExactly = (planned * (100 - rule.minimumPercent)) / 100;
  if (!early && projected !== null && projected > allowedExactly + PERCENT_EPSILON) return 'pace';
  if (allowedAbsences - absences <= rule.warnMargin) return 'few_absences_left';
  return null;
}

export function standing(outcomes: readonly Outcome[], rule: StandingRule): Standing {
  const decided = outcomes.filter((o): o is ResultStatus => o !== 'pending');
  const counted = decided.filter((status) => status !== 'excused');
  const attended = counted.reduce((sum, status) => sum + attendedCredit(status, rule.points), 0);
  const absences = counted.length - attended;
  const pending = outcomes.length - decided.length;
  const planned = counted.length + pending;
  const allowedAbsences = Math.floor((planned * (100 - rule.minimumPercent)) / 100 + PERCENT_EPSILON);
  // Whole classes: half a class left over is not one more absence the student can afford.
  const absencesLeft = Math.max(0, Math.floor(allowedAbsences - absences + PERCENT_EPSILON));
  const projected = counted.length === 0 ? null : absences + (absences / counted.length) * pending;
  const reason = riskOf(rule, { counted: counted.length, absences, planned, allowedAbsences, projected });
  return {
    rate: attendanceRate(decided, rule.points),
    totals: statusTotals(decided),
    attended,
    counted: counted.length,
    absences,
    pending,
    planned,
    allowedAbsences,
    absencesLeft,
    projectedAbsences: projected === null ? null : Math.round(projected * 10) / 10,
    earlyTerm: counted.length < rule.earlyTermSessions,
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
