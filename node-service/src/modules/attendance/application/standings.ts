import { isErasedId } from '../../../shared/ids.js';
import type { Locale } from '../../../shared/errors.js';
import { localDate } from '../../../shared/local-time.js';
import type { Identity } from '../../auth/index.js';
import type { CourseAccess, CourseDirectory, CourseRight } from '../../directory/index.js';
import { reportErrors } from '../domain/errors.js';
import { bySurname, type Table } from '../domain/report.js';
import { attendanceRate, countsAsAttended, type ResultStatus } from '../domain/results.js';
import { DEFAULT_GRADE_POLICY, gradeOf, policyName, type Grade, type GradePolicy } from '../domain/grade-policy.js';
import { outcomesOf, recentOutcomes, standing, type Standing, type StandingRule } from '../domain/standing.js';
import type { CourseMinimumRepository, GradeChanges, ReportRepository } from './ports.js';

/** How many of a student's latest decided sessions the roster's trend shows. */
const TREND_SESSIONS = 5;

export interface CourseMinimum {
  /** The minimum that applies, in percent. */
  percent: number;
  /** `course`: its teacher set it; `default`: ATTENDANCE_MIN_RATE. */
  source: 'course' | 'default';
  defaultPercent: number;
}

/** A course's grade policy (domain/grade-policy.ts) as the pages show it: its fields, whose, and its name. */
export interface CourseGradePolicy extends GradePolicy {
  /** `course`: its teacher set it; `default`: DEFAULT_GRADE_POLICY (the attendance rate). */
  source: 'course' | 'default';
  name: Record<Locale, string>;
}

/** What the LMS receives for one student (LTI Assignment and Grade Services: a score over a maximum, and a comment). */
export interface LmsGrade {
  /** The grade in percent, one decimal; null while there is nothing to grade (no class counted yet). */
  scoreGiven: number | null;
  scoreMaximum: 100;
  comment: string;
}

export interface StudentStanding extends Standing {
  studentId: string;
  studentName: string;
  /** The portal username, the institution's student number (null when the portal does not know it). */
  studentNumber: string | null;
  onRoster: boolean;
  /** The latest decided sessions' statuses, oldest first (at most TREND_SESSIONS). */
  recent: ResultStatus[];
  /** The grade under the course's policy. */
  grade: Grade;
}

interface SessionSummary {
  id: string;
  plannedStart: Date;
  room: string;
  state: 'open' | 'closed';
  registered: number;
  attended: number;
  absent: number;
  excused: number;
  /** Attended over those who count (excused left out); null while the class runs or with nobody counted. */
  rate: number | null;
}

const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

/**
 * Course minimums and where each student stands against them: the teacher's course page and "at risk" list,
 * and the student's own standing in "my attendance". One definition (domain/standing.ts) for all of them.
 */
export function createStandingService(deps: {
  minimums: CourseMinimumRepository;
  /** Results as the pages show them: possibly seconds stale (a standby's) where the composition root says so. */
  reports: Pick<ReportRepository, 'courseResults' | 'studentResults'>;
  /** Results read back right after naming walk-ins: from the primary, which has the names just written. */
  freshReports: Pick<ReportRepository, 'courseResults'>;
  directory: Pick<CourseDirectory, 'roster' | 'student'>;
  /** Who may do what in a course (directory/domain/course-rights.ts). */
  access: Pick<CourseAccess, 'require'>;
  walkIns: { name(sessionIds: string[]): Promise<void> };
  /** ATTENDANCE_MIN_RATE, in percent. */
  defaultMinimumPercent: number;
  /** ATTENDANCE_WARN_MARGIN and ATTENDANCE_EARLY_TERM_SESSIONS (domain/standing.ts). */
  rule: Omit<StandingRule, 'minimumPercent'>;
  timeZone: string;
  grades: GradeChanges;
}) {
  const minimumsOf = async (courseIds: string[]): Promise<Map<string, CourseMinimum>> => {
    const own = await deps.minimums.minimums(courseIds);
    const defaultPercent = deps.defaultMinimumPercent;
    return new Map(
      courseIds.map((id): [string, CourseMinimum] => {
        const set = own.get(id);
        return [id, set === undefined ? { percent: defaultPercent, source: 'default', defaultPercent } : { percent: set, source: 'course', defaultPercent }];
      }),
    );
  };
  const policiesOf = async (courseIds: string[]): Promise<Map<string, CourseGradePolicy>> => {
    const own = await deps.minimums.gradePolicies(courseIds);
    return new Map(
      courseIds.map((id): [string, CourseGradePolicy] => {
        const policy = own.get(id) ?? DEFAULT_GRADE_POLICY;
        return [id, { ...policy, source: own.has(id) ? 'course' : 'default', name: { es: policyName(policy, 'es'), en: policyName(policy, 'en') } }];
      }),
    );
  };
  /** A course's minimum and grade policy: the rules every figure of it follows. */
  const rulesOf = async (courseIds: string[]) => {
    const [minimums, policies] = await Promise.all([minimumsOf(courseIds), policiesOf(courseIds)]);
    return new Map(courseIds.map((id) => [id, { minimum: minimums.get(id)!, policy: policies.get(id)! }]));
  };
  const ruleFor = (minimum: CourseMinimum, policy: GradePolicy): StandingRule => ({ ...deps.rule, minimumPercent: minimum.percent, points: policy.points });

  const assertMay = (actor: Identity, courseId: string, right: CourseRight) =>
    deps.access.require(actor, courseId, right, () => reportErrors.COURSE_NOT_YOURS({ courseId }));

  async function courseAttendance(actor: Identity, courseId: string) {
    const access = await assertMay(actor, courseId, 'see_standings');
    const roster = await deps.directory.roster(courseId);
    let { results } = await deps.reports.courseResults(courseId);
    const sessions = await deps.minimums.courseSessions([courseId]);
    if (results.some((r) => r.studentName === r.studentId)) {
      await deps.walkIns.name(sessions.filter((s) => s.state !== 'scheduled').map((s) => s.id));
      ({ results } = await deps.freshReports.courseResults(courseId));
    }
    const { minimum, policy } = (await rulesOf([courseId])).get(courseId)!;

    const people = new Map(roster.students.map((s) => [s.id, { name: s.name, number: s.username as string | null, onRoster: true }]));
    // An erased student is out of the standings (their classes still count in each session's totals).
    for (const r of results) {
      if (!people.has(r.studentId) && !isErasedId(r.studentId)) people.set(r.studentId, { name: r.studentName, number: null, onRoster: false });
    }
    // Walk-ins are on no roster of the course: their student numbers are asked one by one.
    for (const [id, person] of people) {
      if (!person.onRoster) person.number = (await deps.directory.student(id).catch(() => null))?.username ?? null;
    }
    const byStudent = new Map<string, Map<string, { status: ResultStatus; final: boolean }>>();
    for (const r of results) {
      const mine = byStudent.get(r.studentId) ?? new Map();
      mine.set(r.sessionId, { status: r.status, final: r.final });
      byStudent.set(r.studentId, mine);
    }
    const students: StudentStanding[] = [...people.entries()]
      .map(([studentId, person]) => {
        const outcomes = outcomesOf(sessions, byStudent.get(studentId) ?? new Map(), person.onRoster);
        return {
          studentId,
          studentName: person.name,
          studentNumber: person.number,
          onRoster: person.onRoster,
          ...standing(outcomes, ruleFor(minimum, policy)),
          recent: recentOutcomes(outcomes, TREND_SESSIONS),
          grade: gradeOf(outcomes, policy, minimum.percent),
        };
      })
      .sort((a, b) => bySurname(a.studentName, b.studentName));

    const held: SessionSummary[] = sessions
      .filter((s): s is typeof s & { state: 'open' | 'closed' } => s.state !== 'scheduled')
      .map((s) => {
        const statuses = results.filter((r) => r.sessionId === s.id).map((r) => r.status);
        const closed = s.state === 'closed';
        return {
          id: s.id,
          plannedStart: s.plannedStart,
          room: s.room,
          state: s.state,
          registered: statuses.length,
          attended: statuses.filter((status) => status !== 'excused' && countsAsAttended(status)).length,
          absent: statuses.filter((status) => status === 'absent' || status === 'manual_absent').length,
          excused: statuses.filter((status) => status === 'excused').length,
          rate: closed ? attendanceRate(statuses, policy.points) : null,
        };
      });
    return {
      course: { id: roster.course.id, name: roster.course.name },
      /** The viewer's role and rights here: the course page offers only what they may do. */
      access,
      minimum,
      policy,
      plannedSessions: sessions.length,
      scheduledSessions: sessions.length - held.length,
      sessions: held,
      students,
    };
  }

  /** The students at risk (domain/standing.ts): the minimum out of reach, a pace that ends below it, or few absences left. */
  async function atRisk(actor: Identity, courseId: string) {
    const { students, sessions: _sessions, access: _access, ...course } = await courseAttendance(actor, courseId);
    return { ...course, students: students.filter((s) => s.atRisk) };
  }

  return {
    courseAttendance,
    atRisk,

    async atRiskTable(actor: Identity, courseId: string, locale: Locale): Promise<Table> {
      await assertMay(actor, courseId, 'export_data');
      const { course, minimum, students } = await atRisk(actor, courseId);
      const es = locale === 'es';
      const reasons = es
        ? { out_of_reach: 'Ya no alcanza el mínimo', pace: 'A este ritmo no alcanza el mínimo', few_absences_left: 'Pocas ausencias disponibles' }
        : { out_of_reach: 'Can no longer reach the minimum', pace: 'At this pace, below the minimum', few_absences_left: 'Few absences left' };
      return {
        title: `${course.id} ${es ? 'en riesgo' : 'at risk'} ${localDate(new Date(), deps.timeZone)}`,
        timeZone: deps.timeZone,
        header: es
          ? ['Número de estudiante', 'Nombre', 'Asistencia (%)', 'Mínimo (%)', 'Ausencias', 'Justificadas', 'Sesiones planificadas', 'Ausencias que aún puede tener', 'Motivo']
          : ['Student number', 'Name', 'Attendance (%)', 'Minimum (%)', 'Absences', 'Excused', 'Sessions planned', 'Absences still affordable', 'Reason'],
        rows: students.map((s) => [
          s.studentNumber,
          s.studentName,
          percent(s.rate),
          minimum.percent,
          s.absences,
          s.totals.excused,
          s.planned,
          s.absencesLeft,
          s.reason ? reasons[s.reason] : null,
        ]),
      };
    },

    /** Sets a course's minimum (null: back to ATTENDANCE_MIN_RATE), by its teacher; audited with the reason. */
    async setMinimum(actor: Identity, courseId: string, percentValue: number | null, reason: string): Promise<CourseMinimum> {
      await assertMay(actor, courseId, 'change_settings');
      await deps.directory.roster(courseId); // an unknown course answers DIRECTORY_COURSE_NOT_FOUND (an admin may name any)
      await deps.minimums.setMinimum({ courseId, percent: percentValue, reason, actor });
      return (await minimumsOf([courseId])).get(courseId)!;
    },

    /** Sets a course's grade policy, by its teacher or a co-teacher; audited with the reason. */
    async setGradePolicy(actor: Identity, courseId: string, policy: GradePolicy, reason: string): Promise<CourseGradePolicy> {
      await assertMay(actor, courseId, 'change_settings');
      await deps.directory.roster(courseId); // an unknown course answers DIRECTORY_COURSE_NOT_FOUND (an admin may name any)
      await deps.minimums.setGradePolicy({ courseId, policy, reason, actor });
      deps.grades.changed(courseId);
      return (await policiesOf([courseId])).get(courseId)!;
    },

    /** A course's grade policy (the course export's grade column and title). */
    async gradePolicyOf(courseId: string): Promise<CourseGradePolicy> {
      return (await policiesOf([courseId])).get(courseId)!;
    },

    /**
     * One student's grade in one course under its policy, for the LMS (the LTI tool posts it; no actor: the
     * tool's own job). The comment names the policy and what the grade is over, in the institution's Spanish.
     */
    async gradeFor(courseId: string, studentId: string): Promise<LmsGrade> {
      const roster = await deps.directory.roster(courseId);
      const onRoster = roster.students.some((s) => s.id === studentId);
      const results = (await deps.reports.studentResults(studentId)).filter((r) => r.courseId === courseId);
      const [{ minimum, policy }, sessions] = await Promise.all([rulesOf([courseId]).then((r) => r.get(courseId)!), deps.minimums.courseSessions([courseId])]);
      const outcomes = outcomesOf(sessions, new Map(results.map((r) => [r.sessionId, { status: r.status, final: r.final }])), onRoster);
      const grade = gradeOf(outcomes, policy, minimum.percent);
      const scoreGiven = percent(grade.score);
      const verdict = grade.passes === null ? 'sin clases que cuenten todavía' : `${grade.passes ? 'alcanza' : 'no alcanza'} el mínimo de ${minimum.percent} %`;
      return {
        scoreGiven,
        scoreMaximum: 100,
        comment: `Nota de asistencia${scoreGiven === null ? '' : `: ${scoreGiven.toLocaleString('es-CL')} %`} (política: ${policy.name.es}); ${grade.earned.toLocaleString('es-CL')} de ${grade.over} clases; ${verdict}.`,
      };
    },

    /** The minimum and grade policy of each of a student's courses, and their standing and grade in it (from their results), for "my attendance". */
    async studentStandings(courseIds: string[], results: ReadonlyArray<{ sessionId: string; status: ResultStatus; final: boolean }>) {
      const [rules, sessions] = await Promise.all([rulesOf(courseIds), deps.minimums.courseSessions(courseIds)]);
      const mine = new Map(results.map((r) => [r.sessionId, { status: r.status, final: r.final }]));
      return new Map(
        courseIds.map((courseId) => {
          const { minimum, policy } = rules.get(courseId)!;
          const outcomes = outcomesOf(sessions.filter((s) => s.courseId === courseId), mine, true);
          return [courseId, { minimum, policy, standing: standing(outcomes, ruleFor(minimum, policy)), grade: gradeOf(outcomes, policy, minimum.percent) }];
        }),
      );
    },
  };
}

export type StandingService = ReturnType<typeof createStandingService>;
