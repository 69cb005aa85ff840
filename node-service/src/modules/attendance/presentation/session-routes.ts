import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { CourseAccess } from '../../directory/index.js';
import type { SessionService } from '../application/sessions.js';
import {
  encodeCursor,
  overviewJson,
  sessionChangesSchema,
  sessionDraftSchema,
  sessionIdParams,
  sessionJson,
  sessionListQuery,
  seriesDraftSchema,
} from './schemas.js';
import { coursesSchema, overviewSchema, sessionPageSchema, sessionSchema } from './responses.js';

/** The teacher's side of class sessions. Who may do what is the course's rights (directory/domain/course-rights.ts). */
export function sessionRoutes(deps: {
  service: SessionService;
  access: Pick<CourseAccess, 'mine'>;
  guards: AuthGuards;
  limits: RateLimits;
  /** Page sizes of the list: the default and the most. */
  list: { listLimit: number; listPageSize: number };
}): FastifyPluginAsyncZod {
  const { service, guards } = deps;
  const common = {
    preHandler: guards.roles('teacher', 'admin'),
    config: { rateLimit: deps.limits.perUser },
  };
  const tags = ['sessions'];
  const security = [{ portalToken: [] }];

  return async (app) => {
    app.get(
      '/api/teacher/courses',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'The courses the signed-in teacher teaches or is on the staff of (from the portal), with their role and rights in each',
          response: { 200: coursesSchema },
        },
      },
      async (request) => ({
        courses: (await deps.access.mine(identityOf(request))).map(({ id, name, role, rights }) => ({ id, name, role, rights })),
      }),
    );

    app.post(
      '/api/sessions',
      { ...common, schema: { tags, security, summary: 'Create a class session for one of my courses', body: sessionDraftSchema, response: { 201: sessionSchema } } },
      async (request, reply) => reply.status(201).send(sessionJson(await service.create(identityOf(request), request.body))),
    );

    app.post(
      '/api/session-series',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Create a weekly series: one session per class on the chosen weekdays up to the last date, at the same local times in TIME_ZONE',
          body: seriesDraftSchema,
          response: {
            201: z.object({
              seriesId: z.string(),
              timeZone: z.string(),
              sessions: z.array(sessionSchema),
              /** Dates left out, and why: a public holiday or a recess (named). */
              skipped: z.array(z.object({ date: z.string(), reason: z.enum(['holiday', 'recess']), name: z.string() })),
            }),
          },
        },
      },
      async (request, reply) => {
        const created = await service.createSeries(identityOf(request), request.body);
        return reply.status(201).send({ ...created, sessions: created.sessions.map(sessionJson) });
      },
    );

    app.get(
      '/api/sessions',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'My sessions (all sessions for an admin), a page at a time, by course and by dates in TIME_ZONE; nextCursor asks for the next page',
          querystring: sessionListQuery(deps.list),
          response: { 200: sessionPageSchema },
        },
      },
      async (request) => {
        const { cursor, ...query } = request.query;
        const page = await service.list(identityOf(request), { ...query, ...(cursor ? { after: cursor } : {}) });
        const last = page.sessions.at(-1);
        return { sessions: page.sessions.map(sessionJson), nextCursor: page.more && last ? encodeCursor(last) : null };
      },
    );

    app.patch(
      '/api/sessions/:id',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Change the room, planned times or planned rounds of a session that has not opened; audited',
          params: sessionIdParams,
          body: sessionChangesSchema,
          response: { 200: sessionSchema },
        },
      },
      async (request) => sessionJson(await service.edit(identityOf(request), request.params.id, request.body)),
    );

    app.delete(
      '/api/sessions/:id',
      { ...common, schema: { tags, security, summary: 'Delete a session that never opened; audited', params: sessionIdParams, response: { 204: z.null() } } },
      async (request, reply) => {
        await service.remove(identityOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/sessions/:id',
      { ...common, schema: { tags, security, summary: 'A session with its rounds, live roster and count', params: sessionIdParams, response: { 200: overviewSchema } } },
      async (request) => overviewJson(await service.overview(identityOf(request), request.params.id)),
    );

    const action = (path: string, summary: string, run: (actor: ReturnType<typeof identityOf>, id: string) => ReturnType<SessionService['open']>) =>
      app.post(
        `/api/sessions/:id/${path}`,
        { ...common, schema: { tags, security, summary, params: sessionIdParams, response: { 200: sessionSchema } } },
        async (request) => sessionJson(await run(identityOf(request), request.params.id)),
      );
    action('open', 'Open the session: registers the course roster', service.open);
    action('rounds', 'Start the next round', service.startRound);
    action('rounds/current/end', 'End the running round', service.endRound);
    action('close', 'Close the session: ends any round; no more scans', service.close);
  };
}
