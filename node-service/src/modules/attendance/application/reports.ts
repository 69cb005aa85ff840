import { isErasedId } from '../../../shared/ids.js';
import type { Locale } from '../../../shared/errors.js';
import type { Identity } from '../../auth/index.js';
import type { CourseAccess, CourseDirectory, CourseRight } from '../../directory/index.js';
import { attendanceErrors, reportErrors } from '../domain/errors.js';
import { alertLabels, bySurname, spotCheckLabel, statusLabel, type StatusTotals, type Table } from '../domain/report.js';
import { localDate, localDateTime } from '../../../shared/local-time.js';
import type { ResultStatus } from '../domain/results.js';
import { outcomeOf, standing } from '../domain/standing.js';
import type { GradeChanges, ReportRepository, SessionRepository } from './ports.js';
import type { StandingService } from './standings.js';

export type Correction = { status: 'excused' | 'manual_present' | 'manual_absent' | 'computed'; reason: string };

/** The totals a course export adds per student, in this order. */
const TOTAL_KEYS: Array<keyof StatusTotals> = ['present', 'late', 'partial', 'absent', 'excused'];

const erasedName = (locale: Locale) => (locale === 'es' ? 'Estudiante eliminado' : 'Erased student');

const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

/** Corrections, reports and exports: what the teacher signs and what the student sees. */
export function createReportService(deps: {
  /** Corrections, a session's export and read-backs after a write: always the primary. */
  reports: ReportRepository;
  /**
   * A course's and a student's results for exports, reports and "my attendance": possibly seconds stale (a
   * standby's) where the composition root says so (docs/operations.md, "High availability").
   */
  results: Pick<ReportRepository, 'courseResults' | 'studentResults'>;
  sessions: Pick<SessionRepository, 'find'>;
  directory: Pick<CourseDirectory, 'coursesOf' | 'roster' | 'student' | 'people'>;
  /** Who may do what in a course (directory/domain/course-rights.ts). */
  access: Pick<CourseAccess, 'require'>;
  walkIns: { name(sessionIds: string[]): Promise<void> };
  /** Each course's minimum and the student's standing in it (application/standings.ts). */
  standings: Pick<StandingService, 'studentStandings' | 'gradePolicyOf' | 'courseAttendance'>;
  /** The institution's IANA time zone (TIME_ZONE): titles, file names and times in exports. */
  timeZone: string;
  grades: GradeChanges;
}) {
  /** Portal usernames, the institution's student numbers, by student id (students on the course roster). */
  const studentNumbers = async (courseId: string, studentIds: readonly string[]) => {
    const numbers = new Map((await deps.directory.roster(courseId)).students.map((s) => [s.id, s.username]));
    // Walk-ins are on no roster of the course: asked one by one.
    for (const id of studentIds.filter((id) => !numbers.has(id))) {
      const student = await deps.directory.student(id).catch(() => null);
      if (student) numbers.set(id, student.username);
    }
    return numbers;
  };

  /**
   * The lines a spreadsheet prints above the table: the course (code and name), its teacher, what the
   * table covers (a session's date and room, or a course's first to last session), the course minimum and
   * the grade policy its grades follow.
   */
  const titleRows = async (course: { id: string; name: string; teacherId: string }, covers: string, locale: Locale) => {
    const es = locale === 'es';
    const [teacher] = await deps.directory.people([course.teacherId]);
    const { minimum, policy } = (await deps.standings.studentStandings([course.id], [])).get(course.id)!;
    return [
      `${es ? 'Curso' : 'Course'}: ${course.id} ${course.name}`,
      `${es ? 'Docente' : 'Teacher'}: ${teacher?.name ?? course.teacherId}`,
      covers,
      `${es ? 'Asistencia mínima' : 'Minimum attendance'}: ${minimum.percent} %`,
      `${es ? 'Nota de asistencia según la política' : 'Attendance grade under the policy'}: ${policy.name[locale]}`,
    ];
  };

  const managedSession = async (actor: Identity, sessionId: string, right: CourseRight) => {
    const session = await deps.sessions.find(sessionId);
    if (!session) throw attendanceErrors.SESSION_NOT_FOUND();
    await deps.access.require(actor, session.courseId, right, () => attendanceErrors.SESSION_NOT_YOURS());
    return session;
  };

  const assertMay = (actor: Identity, courseId: string, right: CourseRight) =>
    deps.access.require(actor, courseId, right, () => reportErrors.COURSE_NOT_YOURS({ courseId }));

  /** Marking present is an assistant's too; every other correction is the teacher's (or a co-teacher's). */
  const rightToCorrect = (correction: Correction): CourseRight => (correction.status === 'manual_present' ? 'mark_present' : 'correct_attendance');

  return {
    async correct(actor: Identity, sessionId: string, studentId: string, correction: Correction) {
      if (isErasedId(studentId)) throw reportErrors.CORRECTION_STUDENT_ERASED();
      const session = await managedSession(actor, sessionId, rightToCorrect(correction));
      if (session.state === 'scheduled') throw attendanceErrors.SESSION_NOT_OPEN();
      const corrected = await deps.reports.correct({ sessionId, studentId, ...correction, actor });
      if (!corrected) throw reportErrors.CORRECTION_NOT_REGISTERED();
      deps.grades.changed(session.courseId);
      return corrected;
    },

    /** One reason for several students (a bulk excuse, say): all corrected and audited one by one, or none. */
    async correctMany(actor: Identity, sessionId: string, studentIds: string[], correction: Correction) {
      if (studentIds.some(isErasedId)) throw reportErrors.CORRECTION_STUDENT_ERASED();
      const session = await managedSession(actor, sessionId, rightToCorrect(correction));
      if (session.state === 'scheduled') throw attendanceErrors.SESSION_NOT_OPEN();
      const corrected = await deps.reports.correctMany({ sessionId, studentIds: [...new Set(studentIds)], ...correction, actor });
      if (!corrected) throw reportErrors.CORRECTION_NOT_REGISTERED();
      deps.grades.changed(session.courseId);
      return corrected;
    },

    async sessionTable(actor: Identity, sessionId: string, locale: Locale): Promise<Table> {
      const session = await managedSession(actor, sessionId, 'export_data');
      await deps.walkIns.name([sessionId]);
      const rows = await deps.reports.sessionResults(sessionId);
      const numbers = await studentNumbers(session.courseId, rows.map((r) => r.studentId));
      const es = locale === 'es';
      const day = `${localDateTime(session.plannedStart, deps.timeZone)}–${localDateTime(session.plannedEnd, deps.timeZone).slice(11)}`;
      return {
        title: `${session.courseName} ${localDate(session.plannedStart, deps.timeZone)}`,
        titleRows: await titleRows(
          { id: session.courseId, name: session.courseName, teacherId: session.teacherId },
          `${es ? 'Sesión' : 'Session'}: ${day}, ${es ? 'sala' : 'room'} ${session.room}`,
          locale,
        ),
        timeZone: deps.timeZone,
        header: es
          ? ['Número de estudiante', 'Nombre', 'Estado', 'Rondas confirmadas', 'Rondas realizadas', 'Primera confirmación', 'Fuera de lista', 'Motivo de corrección', 'Llamado al azar', 'Alertas']
          : ['Student number', 'Name', 'Status', 'Rounds confirmed', 'Rounds run', 'First confirmation', 'Not on roster', 'Correction reason', 'Called at random', 'Alerts'],
        rows: [...rows]
          .sort((a, b) => bySurname(a.studentName, b.studentName))
          .map((r) => [
            numbers.get(r.studentId) ?? null,
            isErasedId(r.studentId) ? erasedName(locale) : r.studentName,
            statusLabel(r.status, locale),
            r.roundsConfirmed,
            session.roundsStarted,
            r.firstConfirmedAt,
            r.walkIn ? (es ? 'sí' : 'yes') : 'no',
            r.overrideReason,
            spotCheckLabel(r.spotCheck, locale),
            alertLabels(r.alerts, locale),
          ]),
      };
    },

    async courseTable(actor: Identity, courseId: string, locale: Locale): Promise<Table> {
      await assertMay(actor, courseId, 'export_data');
      let { sessions, results } = await deps.results.courseResults(courseId);
      if (results.some((r) => r.studentName === r.studentId)) {
        await deps.walkIns.name(sessions.map((s) => s.id));
        // Read back from the primary: it has the names just written, a standby may not yet.
        ({ sessions, results } = await deps.reports.courseResults(courseId));
      }
      const numbers = await studentNumbers(courseId, [...new Set(results.map((r) => r.studentId))]);
      const policy = await deps.standings.gradePolicyOf(courseId);
      // Each grade as the course page computes it (sessions still to come count under all_scheduled).
      const grades = new Map((await deps.standings.courseAttendance(actor, courseId)).students.map((s) => [s.studentId, s.grade.score]));
      const byStudent = new Map<string, { name: string; statuses: Map<string, { status: ResultStatus; final: boolean }> }>();
      // An erased student is out of the standings: their classes still count in each session's totals.
      for (const r of results.filter((result) => !isErasedId(result.studentId))) {
        const entry = byStudent.get(r.studentId) ?? { name: r.studentName, statuses: new Map() };
        entry.statuses.set(r.sessionId, { status: r.status, final: r.final });
        byStudent.set(r.studentId, entry);
      }
      const es = locale === 'es';
      const header = [es ? 'Número de estudiante' : 'Student number', es ? 'Nombre' : 'Name'];
      for (const s of sessions) header.push(`${localDateTime(s.plannedStart, deps.timeZone)} ${s.room}`);
      header.push(...TOTAL_KEYS.map((key) => statusLabel(key, locale)), es ? 'Asistencia (%)' : 'Attendance (%)', es ? 'Nota de asistencia (%)' : 'Attendance grade (%)');
      const rows = [...byStudent.entries()]
        .sort(([, a], [, b]) => bySurname(a.name, b.name))
        .map(([studentId, { name, statuses }]) => {
          // Totals and rate as everywhere (domain/standing.ts): a class still running is left out of both.
          const { totals, rate } = standing([...statuses.values()].map(outcomeOf), { minimumPercent: 0, warnMargin: 0, earlyTermSessions: 0, points: policy.points });
          return [
            numbers.get(studentId) ?? null,
            name,
            ...sessions.map((s) => {
              const result = statuses.get(s.id);
              if (!result) return null;
              return !result.final && result.status === 'absent' ? (es ? 'Pendiente' : 'Pending') : statusLabel(result.status, locale);
            }),
            ...TOTAL_KEYS.map((key) => totals[key]),
            percent(rate),
            percent(grades.get(studentId) ?? null),
          ];
        });
      const { course } = await deps.directory.roster(courseId);
      const period =
        sessions.length === 0
          ? es ? 'sin sesiones' : 'no sessions'
          : `${localDate(sessions[0]!.plannedStart, deps.timeZone)} – ${localDate(sessions.at(-1)!.plannedStart, deps.timeZone)}`;
      const covers = `${es ? 'Período' : 'Period'}: ${period} (${sessions.length} ${es ? 'sesiones' : 'sessions'}; ${es ? 'al' : 'as of'} ${localDate(new Date(), deps.timeZone)})`;
      return {
        title: `${courseId} ${localDate(new Date(), deps.timeZone)}`,
        titleRows: await titleRows(course, covers, locale),
        timeZone: deps.timeZone,
        header,
        rows,
      };
    },

    /**
     * One student's attendance in one course, for the printable report: the student themselves, the course's
     * teacher, or an admin. Another student, or a student not on the roster, is the same COURSE_NOT_YOURS /
     * REPORT_STUDENT_NOT_FOUND a teacher of another course gets.
     */
    async studentReport(actor: Identity, courseId: string, studentId: string) {
      if (actor.role === 'student' && actor.id !== studentId) throw reportErrors.COURSE_NOT_YOURS({ courseId });
      if (actor.role !== 'student') await assertMay(actor, courseId, 'export_data');
      const roster = await deps.directory.roster(courseId);
      const student = roster.students.find((s) => s.id === studentId);
      if (!student || isErasedId(studentId)) throw reportErrors.COURSE_NOT_YOURS({ courseId });
      const results = (await deps.results.studentResults(studentId)).filter((r) => r.courseId === courseId);
      const { minimum, policy, standing: mine, grade } = (await deps.standings.studentStandings([courseId], results)).get(courseId)!;
      const [teacher] = await deps.directory.people([roster.course.teacherId]);
      return {
        course: { id: roster.course.id, name: roster.course.name, teacherName: teacher?.name ?? null },
        student: { id: student.id, name: student.name, studentNumber: student.username },
        rate: mine.rate,
        minimum: { percent: minimum.percent, source: minimum.source },
        policy,
        grade,
        standing: mine,
        sessions: [...results]
          .sort((a, b) => a.plannedStart.getTime() - b.plannedStart.getTime())
          .map((s) => ({ sessionId: s.sessionId, plannedStart: s.plannedStart.toISOString(), room: s.room, status: s.status, roundsConfirmed: s.roundsConfirmed, roundsRun: s.roundsRun, final: s.final })),
        generatedAt: new Date().toISOString(),
      };
    },

    /** The signed-in student's own attendance, per course, with each session's status and the rate. */
    async myAttendance(student: Identity) {
      const courses = await deps.directory.coursesOf(student.id);
      const results = await deps.results.studentResults(student.id);
      const standings = await deps.standings.studentStandings(courses.map((c) => c.id), results);
      return courses.map((course) => {
        const sessions = results.filter((r) => r.courseId === course.id);
        const { minimum, policy, standing: mine, grade } = standings.get(course.id)!;
        return {
          course: { id: course.id, name: course.name },
          // A class still running is not decided yet: it stays out of the rate until it closes.
          rate: mine.rate,
          minimum: { percent: minimum.percent, source: minimum.source },
          policy,
          grade,
          standing: {
            attended: mine.attended,
            counted: mine.counted,
            absences: mine.absences,
            pending: mine.pending,
            planned: mine.planned,
            allowedAbsences: mine.allowedAbsences,
            absencesLeft: mine.absencesLeft,
            projectedAbsences: mine.projectedAbsences,
            earlyTerm: mine.earlyTerm,
            atRisk: mine.atRisk,
            reason: mine.reason,
          },
          sessions: sessions.map((s) => ({
            sessionId: s.sessionId,
            plannedStart: s.plannedStart.toISOString(),
            room: s.room,
            status: s.status,
            roundsConfirmed: s.roundsConfirmed,
            roundsRun: s.roundsRun,
            final: s.final,
            spotCheck: s.spotCheck,
          })),
        };
      });
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
