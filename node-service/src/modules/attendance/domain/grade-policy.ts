import type { Locale } from '../../../shared/errors.js';
import { PERCENT_EPSILON } from '../../../shared/percent.js';
import { attendedCredit, type ResultStatus, type StatusPoints } from './results.js';
import type { Outcome } from './standing.js';

/**
 * A course's grade policy: how its attendance becomes a grade (the "nota de asistencia"), the one rule
 * behind the course page, the exports, the student's page, the printable report and the grade sent to the
 * LMS. Each course has one; a course that never chose has DEFAULT_GRADE_POLICY, which gives every student
 * exactly their attendance rate (as before grade policies existed).
 *
 * - basis: `to_date` grades over the classes held so far (decided sessions); `all_scheduled` over every
 *   session planned for the term, those still to come (or running) counting as 0 until they are held: the
 *   grade then only grows over the term, and reads as "of the whole course, what has been earned".
 *   (Moodle's mod_attendance words the same pair "taken sessions" and "all sessions".)
 * - dropLowest: the N lowest classes held are left out (absences first, then the least points): N absences
 *   forgiven. Classes still to come are never dropped: they are no absence yet.
 * - points: what a late and a partial class are worth (present 1, absent 0). The same fractions drive the
 *   standing against the minimum (domain/standing.ts), so a course has one rule for a partial class.
 * - absencePenalty: percentage points taken off the grade for each absence that was not dropped (never below 0).
 * - The minimum to pass is the course's minimum attendance (ATTENDANCE_MIN_RATE or its teacher's own).
 *
 * Excused ("Justificado") sessions are left out of everything, as the standing leaves them out: a justified
 * absence is no absence, neither a class held nor one to come.
 */
type GradeBasis = 'to_date' | 'all_scheduled';

export interface GradePolicy {
  basis: GradeBasis;
  dropLowest: number;
  points: StatusPoints;
  absencePenalty: number;
}

/** How many classes a policy may drop at most; the database checks the same bound (migration 024). */
export const MAX_DROP_LOWEST = 50;

export const DEFAULT_GRADE_POLICY: GradePolicy = { basis: 'to_date', dropLowest: 0, points: { late: 1, partial: 1 }, absencePenalty: 0 };

export interface Grade {
  /** The grade as a share, 0..1 (shown as a percentage); null with nothing to grade yet. */
  score: number | null;
  /** Points earned over the classes kept. */
  earned: number;
  /** Classes the grade is over: the ones held and kept, plus (all_scheduled) the ones still to come. */
  over: number;
  /** Classes left out by dropLowest. */
  dropped: number;
  /** Absences the penalty applied to. */
  penalised: number;
  /** The score reaches the course minimum; null with no score. */
  passes: boolean | null;
}

const isAbsence = (status: ResultStatus) => status === 'absent' || status === 'manual_absent';

/** One student's grade in one course, from their outcomes (domain/standing.ts: outcomesOf). */
export function gradeOf(outcomes: readonly Outcome[], policy: GradePolicy, minimumPercent: number): Grade {
  const held = outcomes.filter((o): o is ResultStatus => o !== 'pending' && o !== 'excused');
  const toCome = outcomes.filter((o) => o === 'pending').length;
  // Lowest first; among equal points an absence first, so dropping forgives absences before anything else.
  const ranked = held
    .map((status) => ({ status, points: attendedCredit(status, policy.points) }))
    .sort((a, b) => a.points - b.points || Number(isAbsence(b.status)) - Number(isAbsence(a.status)));
  const dropped = Math.min(policy.dropLowest, ranked.length);
  const kept = ranked.slice(dropped);
  const earned = kept.reduce((sum, k) => sum + k.points, 0);
  const over = kept.length + (policy.basis === 'all_scheduled' ? toCome : 0);
  const penalised = kept.filter((k) => isAbsence(k.status)).length;
  const score = over === 0 ? null : Math.max(0, earned / over - (policy.absencePenalty * penalised) / 100);
  const passes = score === null ? null : score * 100 + PERCENT_EPSILON >= minimumPercent;
  return { score, earned, over, dropped, penalised, passes };
}

const decimal = (value: number, locale: Locale) => value.toLocaleString(locale === 'es' ? 'es-CL' : 'en-GB', { maximumFractionDigits: 2 });

/**
 * The policy in words, its name wherever a grade is shown: "a la fecha, sin descartar". The basis and what is
 * dropped always; the points and the penalty only when they differ from the default.
 */
export function policyName(policy: GradePolicy, locale: Locale): string {
  const es = locale === 'es';
  const parts = [policy.basis === 'to_date' ? (es ? 'a la fecha' : 'to date') : es ? 'sobre todas las clases programadas' : 'over all scheduled classes'];
  const n = policy.dropLowest;
  if (n === 0) parts.push(es ? 'sin descartar' : 'nothing dropped');
  else if (n === 1) parts.push(es ? 'descartando la clase más baja' : 'lowest class dropped');
  else parts.push(es ? `descartando las ${n} clases más bajas` : `lowest ${n} classes dropped`);
  if (policy.points.late !== 1) parts.push(`${es ? 'atraso vale' : 'late worth'} ${decimal(policy.points.late, locale)}`);
  if (policy.points.partial !== 1) parts.push(`${es ? 'parcial vale' : 'partial worth'} ${decimal(policy.points.partial, locale)}`);
  if (policy.absencePenalty > 0) parts.push(es ? `−${decimal(policy.absencePenalty, locale)} puntos por ausencia` : `−${decimal(policy.absencePenalty, locale)} points per absence`);
  return parts.join(', ');
}
