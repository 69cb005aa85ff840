/**
 * Where a student stands against the course minimum, as the service answers it (attendance/domain/
 * standing.ts; docs/api.md, "Thresholds"): over the sessions planned so far, a class still running counted
 * as pending. The student's page and the teacher's course page read the same fields.
 */
export interface Standing {
  readonly attended: number;
  readonly counted: number;
  readonly absences: number;
  readonly pending: number;
  readonly planned: number;
  readonly allowedAbsences: number;
  /** How many more absences the planned sessions can hold with the rate still at the minimum. */
  readonly absencesLeft: number;
  readonly atRisk: boolean;
  readonly reason: 'below_minimum' | 'no_absences_left' | null;
}
