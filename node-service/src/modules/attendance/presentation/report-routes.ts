import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { localeFrom } from '../../../shared/http/locale.js';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { Table } from '../domain/report.js';
import type { ReportService } from '../application/reports.js';
import type { WalkInService } from '../application/walk-ins.js';
import { toCsv, toXlsx } from '../infrastructure/spreadsheets.js';
import { gradePolicySchema, gradeSchema, sessionIdParams, standingSchema } from './schemas.js';
import { courseIdSchema, personIdSchema } from '../../../shared/ids.js';

const statusEnum = z.enum(['present', 'partial', 'late', 'absent', 'excused', 'manual_present', 'manual_absent']);
const correctionBody = z.object({ status: z.enum(['excused', 'manual_present', 'manual_absent', 'computed']), reason: z.string().trim().min(3).max(500) }).strict();
const correctedSchema = z.object({
  studentId: z.string(),
  studentName: z.string(),
  status: statusEnum,
  computedStatus: statusEnum,
  roundsConfirmed: z.number(),
  overrideReason: z.string().nullable(),
});
const formatQuery = z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }).strict();
/** One session of a student's, as "my attendance" and the printable report list them. */
const studentSessionSchema = z.object({
  sessionId: z.string(),
  plannedStart: z.string(),
  room: z.string(),
  status: statusEnum,
  roundsConfirmed: z.number(),
  roundsRun: z.number(),
  final: z.boolean(),
});

export async function sendTable(reply: FastifyReply, table: Table, format: 'csv' | 'xlsx', locale: 'es' | 'en', name: string) {
  // An ASCII fallback for old clients, and the real name (accents and all) in RFC 6266's filename*.
  const fileName = `${name.replace(/[\\/:*?"<>|\s]+/g, '_')}.${format}`;
  const ascii = fileName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\w.-]+/g, '_');
  reply.header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
  reply.header('cache-control', 'no-store');
  if (format === 'xlsx') {
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(table));
  }
  return reply.type('text/csv; charset=utf-8').send(toCsv(table, locale === 'es' ? ';' : ','));
}

/** Corrections and exports for teachers; "my attendance" for students. */
export function reportRoutes(deps: { reports: ReportService; walkIns: WalkInService; guards: AuthGuards; limits: RateLimits }): FastifyPluginAsyncZod {
  const teacher = { preHandler: deps.guards.roles('teacher', 'admin'), config: { rateLimit: deps.limits.perUser } };
  const security = [{ portalToken: [] }];
  return async (app) => {
    app.post(
      '/api/sessions/:id/students/:studentId/correction',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'Correct a student’s result (excused, manually present, manually absent, or back to computed), with a reason; audited',
          params: sessionIdParams.extend({ studentId: personIdSchema }),
          body: correctionBody,
          response: { 200: correctedSchema },
        },
      },
      async (request) => {
        const row = await deps.reports.correct(identityOf(request), request.params.id, request.params.studentId, request.body);
        return { ...row };
      },
    );

    app.post(
      '/api/sessions/:id/corrections',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'The same correction, with one reason, for several students at once; all or none, each audited',
          params: sessionIdParams,
          body: correctionBody.extend({ studentIds: z.array(personIdSchema).min(1).max(1000) }).strict(),
          response: { 200: z.object({ corrected: z.array(correctedSchema) }) },
        },
      },
      async (request) => {
        const { studentIds, ...correction } = request.body;
        const rows = await deps.reports.correctMany(identityOf(request), request.params.id, studentIds, correction);
        return { corrected: rows.map(({ alerts: _alerts, firstConfirmedAt: _at, walkIn: _walkIn, ...row }) => row) };
      },
    );

    app.post(
      '/api/sessions/:id/students/:studentId/walk-in',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'Accept a walk-in (clears the flag) or reject one (removes their confirmations and result), with a reason; audited',
          params: sessionIdParams.extend({ studentId: personIdSchema }),
          body: z.object({ decision: z.enum(['accepted', 'rejected']), reason: z.string().trim().min(3).max(500) }).strict(),
          response: {
            200: z.object({ studentId: z.string(), studentName: z.string(), decision: z.enum(['accepted', 'rejected']), confirmationsRemoved: z.number() }),
          },
        },
      },
      async (request) => {
        const { decision, reason } = request.body;
        return deps.walkIns.review(identityOf(request), request.params.id, request.params.studentId, decision, reason);
      },
    );

    app.get(
      '/api/sessions/:id/export',
      { ...teacher, schema: { tags: ['results'], security, summary: 'The session’s results as CSV (UTF-8 with BOM) or XLSX', params: sessionIdParams, querystring: formatQuery } },
      async (request, reply) => {
        const locale = localeFrom(request.headers['accept-language']);
        const table = await deps.reports.sessionTable(identityOf(request), request.params.id, locale);
        return sendTable(reply, table, request.query.format, locale, `asistencia-${table.title}`);
      },
    );

    app.get(
      '/api/courses/:courseId/export',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'Every session of a course, each student’s status and attendance rate, as CSV or XLSX',
          params: z.object({ courseId: courseIdSchema }),
          querystring: formatQuery,
        },
      },
      async (request, reply) => {
        const locale = localeFrom(request.headers['accept-language']);
        const table = await deps.reports.courseTable(identityOf(request), request.params.courseId, locale);
        return sendTable(reply, table, request.query.format, locale, `asistencia-${table.title}`);
      },
    );

    app.get(
      '/api/courses/:courseId/students/:studentId/report',
      {
        preHandler: deps.guards.roles('student', 'teacher', 'admin'),
        config: { rateLimit: deps.limits.perUser },
        schema: {
          tags: ['results'],
          security,
          summary: 'One student’s attendance in one course, for the printable report: the student, the course’s teacher, or an admin',
          params: z.object({ courseId: courseIdSchema, studentId: personIdSchema }).strict(),
          response: {
            200: z.object({
              course: z.object({ id: z.string(), name: z.string(), teacherName: z.string().nullable() }),
              student: z.object({ id: z.string(), name: z.string(), studentNumber: z.string() }),
              rate: z.number().nullable(),
              minimum: z.object({ percent: z.number(), source: z.enum(['course', 'default']) }),
              policy: gradePolicySchema,
              grade: gradeSchema,
              standing: standingSchema,
              sessions: z.array(studentSessionSchema),
              generatedAt: z.string(),
            }),
          },
        },
      },
      async (request) => {
        const report = await deps.reports.studentReport(identityOf(request), request.params.courseId, request.params.studentId);
        const { standing } = report;
        return {
          ...report,
          standing: {
            attended: standing.attended,
            counted: standing.counted,
            absences: standing.absences,
            pending: standing.pending,
            planned: standing.planned,
            allowedAbsences: standing.allowedAbsences,
            absencesLeft: standing.absencesLeft,
            projectedAbsences: standing.projectedAbsences,
            earlyTerm: standing.earlyTerm,
            atRisk: standing.atRisk,
            reason: standing.reason,
          },
        };
      },
    );

    app.get(
      '/api/me/attendance',
      {
        preHandler: deps.guards.roles('student'),
        config: { rateLimit: deps.limits.perUser },
        schema: {
          tags: ['results'],
          security,
          summary: 'My attendance per course: each session’s status, the rate, the course minimum and the absences I can still afford',
          response: {
            200: z.object({
              courses: z.array(
                z.object({
                  course: z.object({ id: z.string(), name: z.string() }),
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
            }),
          },
        },
      },
      async (request) => ({ courses: await deps.reports.myAttendance(identityOf(request)) }),
    );
  };
}
