// What GET /asistencia/api/me/attendance answers (modules/attendance/presentation/report-routes.ts).
import type { Standing } from '../src/lib/standing';
import type { Grade, GradePolicy } from '../src/lib/grade';

type ResultStatus = 'present' | 'partial' | 'late' | 'absent' | 'excused' | 'manual_present' | 'manual_absent';

export interface SessionResult {
  readonly sessionId: string;
  readonly plannedStart: string;
  readonly room: string;
  readonly status: ResultStatus;
  readonly roundsConfirmed: number;
  readonly roundsRun: number;
  /** false while the session is still open: the status may still change. */
  readonly final: boolean;
  /** The teacher's mark the last time I was called at random in this class (null: never called). */
  readonly spotCheck: 'called' | 'answered' | 'no_answer' | null;
}

export interface CourseAttendance {
  readonly course: { readonly id: string; readonly name: string };
  /** The share of sessions attended, 0..1 (excused ones left out); null with none that count. */
  readonly rate: number | null;
  /** The course minimum in percent: its teacher's, or the institution's default. */
  readonly minimum: { readonly percent: number; readonly source: 'course' | 'default' };
  readonly standing: Standing;
  /** The course's grade policy and my grade under it. */
  readonly policy: GradePolicy;
  readonly grade: Grade;
  readonly sessions: readonly SessionResult[];
}

/** What GET /asistencia/api/me/justifications answers: my requests to justify absences, newest first. */
export interface JustificationRequest {
  readonly id: string;
  readonly sessionId: string;
  readonly reason: string;
  readonly attachment: { readonly type: string; readonly name: string; readonly bytes: number } | null;
  readonly state: 'pending' | 'approved' | 'rejected';
  readonly requestedAt: string;
  readonly decision: { readonly by: { readonly name: string }; readonly at: string; readonly note: string | null } | null;
}
