// What GET /asistencia/api/me/attendance answers (modules/attendance/presentation/report-routes.ts).

type ResultStatus = 'present' | 'partial' | 'late' | 'absent' | 'excused' | 'manual_present';

export interface SessionResult {
  readonly sessionId: string;
  readonly plannedStart: string;
  readonly room: string;
  readonly status: ResultStatus;
  readonly roundsConfirmed: number;
  readonly roundsRun: number;
  /** false while the session is still open: the status may still change. */
  readonly final: boolean;
}

/**
 * Where the student stands against the course minimum (attendance/domain/standing.ts): over the sessions
 * planned so far, a class still running counted as pending.
 */
interface Standing {
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

export interface CourseAttendance {
  readonly course: { readonly id: string; readonly name: string };
  /** The share of sessions attended, 0..1 (excused ones left out); null with none that count. */
  readonly rate: number | null;
  /** The course minimum in percent: its teacher's, or the institution's default. */
  readonly minimum: { readonly percent: number; readonly source: 'course' | 'default' };
  readonly standing: Standing;
  readonly sessions: readonly SessionResult[];
}
