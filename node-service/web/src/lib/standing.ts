import type { AttendanceApi } from './responses';

/**
 * Where a student stands against the course minimum, as the service answers it (attendance/domain/
 * standing.ts; docs/api.md, "Thresholds"): over the sessions planned so far, a class still running counted
 * as pending. The student's page and the teacher's course page read the same fields.
 */
export type Standing = AttendanceApi.StandingJson;

/** Which sentence says a standing, and its numbers: both pages word it from this, each in its own voice. */
export type Verdict =
  | { readonly key: 'outOfReach'; readonly vars: { planned: number } }
  | { readonly key: 'pace'; readonly vars: { count: number; projected: number; allowed: number } }
  | { readonly key: 'noneLeft'; readonly vars: Record<string, never> }
  | { readonly key: 'leftOne'; readonly vars: Record<string, never> }
  | { readonly key: 'left'; readonly vars: { count: number } };

/**
 * The sentence for a standing. Early in the term, or with absences to spare, it says how many classes may
 * still be missed ("Puedes faltar a N clases más"), never "below the minimum": a young term's rate says
 * little. Only the minimum out of reach, a pace judged past the early term, or the last absences left, warn.
 */
export function verdictOf(standing: Standing): Verdict {
  if (standing.reason === 'out_of_reach') return { key: 'outOfReach', vars: { planned: standing.planned } };
  if (standing.reason === 'pace' && standing.projectedAbsences !== null) {
    return { key: 'pace', vars: { count: standing.absencesLeft, projected: Math.ceil(standing.projectedAbsences), allowed: standing.allowedAbsences } };
  }
  if (standing.absencesLeft === 0) return { key: 'noneLeft', vars: {} };
  if (standing.absencesLeft === 1) return { key: 'leftOne', vars: {} };
  return { key: 'left', vars: { count: standing.absencesLeft } };
}
