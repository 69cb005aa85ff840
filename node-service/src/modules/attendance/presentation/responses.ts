import { z } from 'zod';
import { COURSE_ACCESS_ROLES, COURSE_RIGHTS } from '../../../shared/course-rights.js';

/**
 * What the attendance API answers, in a file that imports only zod and an import-free vocabulary: the routes declare these as their
 * response schemas, and the pages (web/) `import type` the shapes inferred from them, so a field changed here
 * breaks the pages' typecheck instead of drifting. Type-only imports are erased from the pages' bundle.
 */

const resultStatusSchema = z.enum(['present', 'partial', 'late', 'absent', 'excused', 'manual_present', 'manual_absent']);
const courseSchema = z.object({ id: z.string(), name: z.string() });

/** The viewer's role in a course and what they may do there (docs/architecture.md, "Course staff"): pages offer only that. */
const courseAccessSchema = z.object({
  role: z.enum(COURSE_ACCESS_ROLES),
  rights: z.array(z.enum(COURSE_RIGHTS)),
});

/** GET /api/teacher/courses: the courses the signed-in teacher teaches or is on the staff of, with their role and rights in each. */
export const coursesSchema = z.object({ courses: z.array(courseSchema.extend(courseAccessSchema.shape)) });

export const sessionSchema = z.object({
  id: z.string(),
  courseId: z.string(),
  courseName: z.string(),
  teacherId: z.string(),
  room: z.string(),
  plannedStart: z.string(),
  plannedEnd: z.string(),
  roundsPlanned: z.number(),
  rotationPeriodMs: z.number(),
  graceMs: z.number(),
  lateAfterMinutes: z.number(),
  allowedNetworks: z.array(z.string()),
  fallbackCodeEnabled: z.boolean(),
  rosterPolicy: z.enum(['refuse', 'flag']),
  state: z.enum(['scheduled', 'open', 'closed']),
  openedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  roundsStarted: z.number(),
  currentRound: z.number().nullable(),
  /** The weekly series that made it (null: made alone). */
  seriesId: z.string().nullable(),
});

const countSchema = z.object({ round: z.number().nullable(), confirmed: z.number(), expected: z.number() });

export const overviewSchema = z.object({
  session: sessionSchema,
  /** The viewer's role and rights in the session's course: the page offers only what they may do. */
  access: courseAccessSchema,
  count: countSchema,
  rounds: z.array(z.object({ number: z.number(), startedAt: z.string(), endedAt: z.string().nullable(), confirmed: z.number() })),
  roster: z.array(
    z.object({
      studentId: z.string(),
      studentName: z.string(),
      source: z.enum(['roster', 'walk_in']),
      flagged: z.boolean(),
      roundsConfirmed: z.array(z.number()),
      /** Alert codes the student's confirmations carried: shared_phone, synced_passkey, frequent_rebinds, rebound_recently. */
      alerts: z.array(z.string()),
      status: z.enum(['present', 'partial', 'late', 'absent', 'excused', 'manual_present', 'manual_absent']).nullable(),
      overrideReason: z.string().nullable(),
      firstConfirmedAt: z.string().nullable(),
      /** The last spot check's mark for the student: called (not yet marked), answered, no_answer; null if never called. */
      spotCheck: z.enum(['called', 'answered', 'no_answer']).nullable(),
      /** Erased at their request: the page names them "Estudiante eliminado" and offers no correction. */
      erased: z.boolean(),
      /** The latest scan of the student refused in this session, its error code and how many (null: none). */
      attempt: z.object({ code: z.string(), at: z.string(), count: z.number() }).nullable(),
    }),
  ),
});

/** A page of GET /api/sessions. */
export const sessionPageSchema = z.object({ sessions: z.array(sessionSchema), nextCursor: z.string().nullable() });

/** Where a student stands against the course minimum (docs/api.md, "Thresholds"); also in "Mi asistencia". */
export const standingSchema = z.object({
  attended: z.number(),
  counted: z.number(),
  absences: z.number(),
  pending: z.number(),
  planned: z.number(),
  allowedAbsences: z.number(),
  absencesLeft: z.number(),
  /** Absences at the end of the planned sessions if the absence rate so far goes on (null: nothing counted). */
  projectedAbsences: z.number().nullable(),
  /** Too few sessions counted to judge a pace (ATTENDANCE_EARLY_TERM_SESSIONS). */
  earlyTerm: z.boolean(),
  atRisk: z.boolean(),
  reason: z.enum(['out_of_reach', 'pace', 'few_absences_left']).nullable(),
});

/** A course's grade policy as the pages show it (domain/grade-policy.ts), with its name in both languages. */
export const gradePolicySchema = z.object({
  basis: z.enum(['to_date', 'all_scheduled']),
  dropLowest: z.number(),
  points: z.object({ late: z.number(), partial: z.number() }),
  absencePenalty: z.number(),
  source: z.enum(['course', 'default']),
  name: z.object({ es: z.string(), en: z.string() }),
});

/** A student's grade under the course's policy: the score as a share (null: nothing to grade yet) and what it is over. */
export const gradeSchema = z.object({
  score: z.number().nullable(),
  earned: z.number(),
  over: z.number(),
  dropped: z.number(),
  penalised: z.number(),
  passes: z.boolean().nullable(),
});

export const minimumSchema = z.object({ percent: z.number(), source: z.enum(['course', 'default']), defaultPercent: z.number() });
const standingFields = {
  rate: z.number().nullable(),
  totals: z.object({ present: z.number(), late: z.number(), partial: z.number(), absent: z.number(), excused: z.number() }),
  ...standingSchema.shape,
};
const studentStandingSchema = z.object({
  studentId: z.string(),
  studentName: z.string(),
  studentNumber: z.string().nullable(),
  onRoster: z.boolean(),
  ...standingFields,
  recent: z.array(resultStatusSchema),
  grade: gradeSchema,
});

/** GET /api/courses/:courseId/attendance: the course's minimum, its sessions held and each student's standing. */
export const courseAttendanceSchema = z.object({
  course: courseSchema,
  access: courseAccessSchema,
  minimum: minimumSchema,
  policy: gradePolicySchema,
  plannedSessions: z.number(),
  scheduledSessions: z.number(),
  sessions: z.array(
    z.object({
      id: z.string(),
      plannedStart: z.string(),
      room: z.string(),
      state: z.enum(['open', 'closed']),
      registered: z.number(),
      attended: z.number(),
      absent: z.number(),
      excused: z.number(),
      rate: z.number().nullable(),
    }),
  ),
  students: z.array(studentStandingSchema),
});

/** A student's result after a teacher's correction. */
export const correctedSchema = z.object({
  studentId: z.string(),
  studentName: z.string(),
  status: resultStatusSchema,
  computedStatus: resultStatusSchema,
  roundsConfirmed: z.number(),
  overrideReason: z.string().nullable(),
});

/** One session of a student's, as "my attendance" and the printable report list them. */
export const studentSessionSchema = z.object({
  sessionId: z.string(),
  plannedStart: z.string(),
  room: z.string(),
  status: resultStatusSchema,
  roundsConfirmed: z.number(),
  roundsRun: z.number(),
  final: z.boolean(),
});

/** GET /api/me/attendance: my attendance per course. */
export const myAttendanceSchema = z.object({
  courses: z.array(
    z.object({
      course: courseSchema,
      rate: z.number().nullable(),
      /** The course's minimum in percent: set by its teacher, or ATTENDANCE_MIN_RATE. */
      minimum: z.object({ percent: z.number(), source: z.enum(['course', 'default']) }),
      /** The course's grade policy and the student's grade under it (domain/grade-policy.ts). */
      policy: gradePolicySchema,
      grade: gradeSchema,
      /** Where I stand against it (docs/api.md, "Thresholds"): a class still running is pending. */
      standing: standingSchema,
      sessions: z.array(
        studentSessionSchema.extend({
          /** My last spot-check mark in the session: called, answered, no_answer (null: never called). */
          spotCheck: z.enum(['called', 'answered', 'no_answer']).nullable(),
        }),
      ),
    }),
  ),
});

// The shapes the pages read (JSON as sent: the schemas' output).
export type CourseList = z.output<typeof coursesSchema>;
export type SessionJson = z.output<typeof sessionSchema>;
export type SessionPageJson = z.output<typeof sessionPageSchema>;
export type OverviewJson = z.output<typeof overviewSchema>;
export type StandingJson = z.output<typeof standingSchema>;
export type GradePolicyJson = z.output<typeof gradePolicySchema>;
export type GradeJson = z.output<typeof gradeSchema>;
export type CourseAttendanceJson = z.output<typeof courseAttendanceSchema>;
export type CorrectedJson = z.output<typeof correctedSchema>;
export type MyAttendanceJson = z.output<typeof myAttendanceSchema>;
