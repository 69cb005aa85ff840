import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { localeFrom } from '../../../shared/http/locale.js';
import { percentProblem } from '../../../shared/percent.js';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { StandingService, StudentStanding } from '../application/standings.js';
import { sendTable } from './report-routes.js';
import { gradePolicySchema, gradeSchema, standingSchema } from './schemas.js';
import { MAX_DROP_LOWEST } from '../domain/grade-policy.js';
import { courseIdSchema } from '../../../shared/ids.js';

const statusEnum = z.enum(['present', 'partial', 'late', 'absent', 'excused', 'manual_present', 'manual_absent']);
const courseParams = z.object({ courseId: courseIdSchema });
const minimumSchema = z.object({ percent: z.number(), source: z.enum(['course', 'default']), defaultPercent: z.number() });
/** A number with at most `places` decimals (0.25, not 0.333…), as the database keeps it. */
const decimals = (places: number) => (value: number) => Math.abs(value * 10 ** places - Math.round(value * 10 ** places)) < 1e-9;
/** What a late or partial class is worth: a fraction of a class, 0 to 1, two decimals at most. */
const fraction = z.number().min(0).max(1).refine(decimals(2), 'expected a fraction from 0 to 1 with at most two decimals, e.g. 0.5');
const gradePolicyBody = z
  .object({
    basis: z.enum(['to_date', 'all_scheduled']),
    dropLowest: z.number().int().min(0).max(MAX_DROP_LOWEST),
    points: z.object({ late: fraction, partial: fraction }).strict(),
    /** Percentage points off the grade per absence kept. */
    absencePenalty: z.number().min(0).max(100).refine(decimals(1), 'expected percentage points with at most one decimal, e.g. 2.5'),
    reason: z.string().trim().min(3).max(500),
  })
  .strict();
const standingFields = {
  rate: z.number().nullable(),
  totals: z.object({ present: z.number(), late: z.number(), partial: z.number(), absent: z.number(), excused: z.number() }),
  ...standingSchema.shape,
};
const studentSchema = z.object({
  studentId: z.string(),
  studentName: z.string(),
  studentNumber: z.string().nullable(),
  onRoster: z.boolean(),
  ...standingFields,
  recent: z.array(statusEnum),
  grade: gradeSchema,
});
const courseSchema = z.object({ id: z.string(), name: z.string() });
/** A percentage with one decimal at most, never a fraction; null sets the course back to the default. */
const minimumBody = z
  .object({
    percent: z
      .number()
      .nullable()
      .superRefine((value, ctx) => {
        const problem = value === null ? null : percentProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    reason: z.string().trim().min(3).max(500),
  })
  .strict();

const studentJson = (s: StudentStanding): z.infer<typeof studentSchema> => ({
  studentId: s.studentId,
  studentName: s.studentName,
  studentNumber: s.studentNumber,
  onRoster: s.onRoster,
  rate: s.rate,
  totals: s.totals,
  attended: s.attended,
  counted: s.counted,
  absences: s.absences,
  pending: s.pending,
  planned: s.planned,
  allowedAbsences: s.allowedAbsences,
  absencesLeft: s.absencesLeft,
  projectedAbsences: s.projectedAbsences,
  earlyTerm: s.earlyTerm,
  atRisk: s.atRisk,
  reason: s.reason,
  recent: s.recent,
  grade: s.grade,
});

/** A course's minimum attendance, where each student stands against it, and who is at risk. */
export function standingRoutes(deps: { standings: StandingService; guards: AuthGuards; limits: RateLimits }): FastifyPluginAsyncZod {
  const teacher = { preHandler: deps.guards.roles('teacher', 'admin'), config: { rateLimit: deps.limits.perUser } };
  const security = [{ portalToken: [] }];
  return async (app) => {
    app.get(
      '/api/courses/:courseId/attendance',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'The course’s minimum and grade policy, attendance per session held, and each student’s rate, grade, absences left, risk and recent trend',
          params: courseParams,
          response: {
            200: z.object({
              course: courseSchema,
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
              students: z.array(studentSchema),
            }),
          },
        },
      },
      async (request) => {
        const course = await deps.standings.courseAttendance(identityOf(request), request.params.courseId);
        return {
          ...course,
          sessions: course.sessions.map((s) => ({ ...s, plannedStart: s.plannedStart.toISOString() })),
          students: course.students.map(studentJson),
        };
      },
    );

    app.get(
      '/api/courses/:courseId/at-risk',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'Students at risk (the minimum out of reach, a pace of absences that ends below it, or at most ATTENDANCE_WARN_MARGIN absences left), as JSON or CSV for the portal to send',
          params: courseParams,
          querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }).strict(),
        },
      },
      async (request, reply) => {
        const actor = identityOf(request);
        if (request.query.format === 'json') {
          const { students, ...course } = await deps.standings.atRisk(actor, request.params.courseId);
          reply.header('cache-control', 'no-store');
          return { ...course, students: students.map(studentJson) };
        }
        const locale = localeFrom(request.headers['accept-language']);
        const table = await deps.standings.atRiskTable(actor, request.params.courseId, locale);
        return sendTable(reply, table, 'csv', locale, `asistencia-${table.title}`);
      },
    );

    app.put(
      '/api/courses/:courseId/minimum',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'Set the course’s minimum attendance in percent (null: back to ATTENDANCE_MIN_RATE), with a reason; audited',
          params: courseParams,
          body: minimumBody,
          response: { 200: minimumSchema },
        },
      },
      async (request) => deps.standings.setMinimum(identityOf(request), request.params.courseId, request.body.percent, request.body.reason),
    );

    app.put(
      '/api/courses/:courseId/grade-policy',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'Set the course’s grade policy (basis to date or over all scheduled classes, lowest classes dropped, what late and partial are worth, points off per absence), with a reason; audited',
          params: courseParams,
          body: gradePolicyBody,
          response: { 200: gradePolicySchema },
        },
      },
      async (request) => {
        const { reason, ...policy } = request.body;
        return deps.standings.setGradePolicy(identityOf(request), request.params.courseId, policy, reason);
      },
    );
  };
}
