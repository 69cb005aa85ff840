// What GET /asistencia/api/me/attendance answers (modules/attendance/presentation/report-routes.ts).
import type { AttendanceApi } from '../src/lib/responses';

/** One course of mine: the rate, the course minimum, where I stand, the grade policy and my grade, each session's result. */
export type CourseAttendance = AttendanceApi.MyAttendanceJson['courses'][number];
/** One session's result; `final` is false while the session is still open (the status may still change). */
export type SessionResult = CourseAttendance['sessions'][number];

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
