import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { HolidayService } from '../application/holidays.js';
import type { SessionService } from '../application/sessions.js';
import { sessionSchema } from './responses.js';
import { calendarDate, roomSchema, roundsPlannedSchema, sessionJson, sessionShape, wallTime } from './schemas.js';

const seriesIdParams = z.object({ id: z.uuid({ error: 'expected a series id' }) });
const fromSession = z.uuid({ error: 'expected a session id' }).optional();
const keptSchema = z.array(sessionSchema);
const holidaySchema = z.object({ date: z.string(), name: z.string() });
const issueSchema = z.object({ row: z.number(), es: z.string(), en: z.string() });

const seriesChangesSchema = z
  .object({
    /** The first class changed, with every later one; absent: every class of the series. */
    fromSessionId: fromSession,
    room: roomSchema.optional(),
    startTime: wallTime.optional(),
    endTime: wallTime.optional(),
    roundsPlanned: roundsPlannedSchema.optional(),
  })
  .strict();

const { room: _room, ...policy } = sessionShape;
const timetableSchema = (maxBytes: number) =>
  z
    .object({
      ...policy,
      // Characters first (a cheap bound); the service counts the bytes against SESSION_IMPORT_MAX_BYTES.
      csv: z.string().min(1, { error: 'paste or upload the timetable' }).max(maxBytes, { error: `at most ${maxBytes} characters` }),
      preview: z.boolean().default(false),
    })
    .strict();

/** Series changed or deleted as a whole (or from one class on), timetables imported, and the public holidays. */
export function seriesRoutes(deps: {
  service: SessionService;
  holidays: HolidayService;
  guards: AuthGuards;
  limits: RateLimits;
  importMaxBytes: number;
}): FastifyPluginAsyncZod {
  const { service, guards } = deps;
  const teacher = { preHandler: guards.roles('teacher', 'admin'), config: { rateLimit: deps.limits.perUser } };
  const admin = { preHandler: guards.roles('admin'), config: { rateLimit: deps.limits.perUser } };
  const tags = ['sessions'];
  const security = [{ portalToken: [] }];

  return async (app) => {
    app.patch(
      '/api/session-series/:id',
      {
        ...teacher,
        schema: {
          tags,
          security,
          summary: 'Change room, times (each class keeps its date) or rounds of every class of a series, or from one class on; classes that ran are kept',
          params: seriesIdParams,
          body: seriesChangesSchema,
          response: { 200: z.object({ changed: z.array(sessionSchema), kept: keptSchema }) },
        },
      },
      async (request) => {
        const { changed, kept } = await service.editSeries(identityOf(request), request.params.id, request.body);
        return { changed: changed.map(sessionJson), kept: kept.map(sessionJson) };
      },
    );

    app.delete(
      '/api/session-series/:id',
      {
        ...teacher,
        schema: {
          tags,
          security,
          summary: 'Delete every class of a series, or from one class on (?from=sessionId); classes that ran are kept',
          params: seriesIdParams,
          querystring: z.object({ from: fromSession }).strict(),
          response: { 200: z.object({ deleted: z.number(), kept: keptSchema }) },
        },
      },
      async (request) => {
        const { deleted, kept } = await service.removeSeries(identityOf(request), request.params.id, request.query.from);
        return { deleted, kept: kept.map(sessionJson) };
      },
    );

    app.post(
      '/api/session-imports',
      {
        ...teacher,
        schema: {
          tags,
          security,
          summary: 'Import sessions from a timetable (CSV): preview answers the classes and every row’s problem; otherwise all rows or none',
          body: timetableSchema(deps.importMaxBytes),
          response: {
            200: z.object({
              preview: z.literal(true),
              classes: z.array(z.object({ row: z.number(), date: z.string(), startTime: z.string(), endTime: z.string(), room: z.string(), plannedStart: z.string(), plannedEnd: z.string(), holiday: z.string().nullable() })),
              issues: z.array(issueSchema),
            }),
            201: z.object({ preview: z.literal(false), sessions: z.array(sessionSchema) }),
          },
        },
      },
      async (request, reply) => {
        const result = await service.importTimetable(identityOf(request), request.body);
        if (result.preview) {
          const classes = result.classes.map(({ plannedStart, plannedEnd, ...c }) => ({ ...c, plannedStart: plannedStart.toISOString(), plannedEnd: plannedEnd.toISOString() }));
          return reply.status(200).send({ preview: true as const, classes, issues: result.issues });
        }
        return reply.status(201).send({ preview: false as const, sessions: result.sessions.map(sessionJson) });
      },
    );

    app.get(
      '/api/holidays',
      { ...teacher, schema: { tags, security, summary: 'The public holidays no weekly series makes a class on', response: { 200: z.object({ holidays: z.array(holidaySchema) }) } } },
      async () => ({ holidays: await deps.holidays.list() }),
    );

    app.put(
      '/api/admin/holidays/:date',
      {
        ...admin,
        schema: {
          tags,
          security,
          summary: 'Add a public holiday, or rename the one on that date (admin)',
          params: z.object({ date: calendarDate }),
          body: z.object({ name: z.string().trim().min(1).max(120) }).strict(),
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await deps.holidays.put(identityOf(request), { date: request.params.date, name: request.body.name });
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/api/admin/holidays/:date',
      { ...admin, schema: { tags, security, summary: 'Remove a public holiday (admin)', params: z.object({ date: calendarDate }), response: { 204: z.null() } } },
      async (request, reply) => {
        await deps.holidays.remove(request.params.date);
        return reply.status(204).send(null);
      },
    );
  };
}
