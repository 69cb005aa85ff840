import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { localeFrom } from '../../../shared/http/locale.js';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { courseIdSchema } from '../../../shared/ids.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { CalendarService } from '../application/calendar.js';
import { toICalendar } from '../infrastructure/ical.js';

const courseSchema = z.object({ id: z.string(), name: z.string() });
/** Any 1–100 characters of the token's alphabet: the service answers the same 404 for every wrong token. */
const feedParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/), courseId: courseIdSchema }).strict();

/** Where a feed is read: under the service's public address, so a calendar app can subscribe from anywhere. */
const feedPath = (publicUrl: URL, basePath: string, token: string, courseId: string) =>
  new URL(`${basePath.slice(1)}/api/calendar/${token}/${encodeURIComponent(courseId)}/sessions.ics`, publicUrl.href.endsWith('/') ? publicUrl.href : `${publicUrl.href}/`).href;

/** "My calendar" for teachers and students: a secret feed address per course, and the feeds themselves. */
export function calendarRoutes(deps: { calendar: CalendarService; guards: AuthGuards; limits: RateLimits; publicUrl: URL; basePath: string }): FastifyPluginAsyncZod {
  const member = { preHandler: deps.guards.roles('teacher', 'student'), config: { rateLimit: deps.limits.perUser } };
  const security = [{ portalToken: [] }];
  return async (app) => {
    app.get(
      '/api/me/calendar',
      {
        ...member,
        schema: {
          tags: ['calendar'],
          security,
          summary: 'Whether I have a calendar feed address (it is shown only when made) and the courses it covers',
          response: { 200: z.object({ active: z.boolean(), createdAt: z.string().nullable(), courses: z.array(courseSchema) }) },
        },
      },
      async (request) => {
        const status = await deps.calendar.status(identityOf(request));
        return { ...status, createdAt: status.createdAt?.toISOString() ?? null };
      },
    );

    app.post(
      '/api/me/calendar',
      {
        ...member,
        schema: {
          tags: ['calendar'],
          security,
          summary: 'A new secret calendar feed address for each of my courses; the previous addresses stop working',
          body: z.object({}).strict().optional(),
          response: {
            201: z.object({ createdAt: z.string(), feeds: z.array(z.object({ course: courseSchema, url: z.string() })) }),
          },
        },
      },
      async (request, reply) => {
        const { token, createdAt, courses } = await deps.calendar.regenerate(identityOf(request));
        reply.header('cache-control', 'no-store');
        return reply.code(201).send({
          createdAt: createdAt.toISOString(),
          feeds: courses.map((course) => ({ course, url: feedPath(deps.publicUrl, deps.basePath, token, course.id) })),
        });
      },
    );

    app.delete(
      '/api/me/calendar',
      {
        ...member,
        schema: { tags: ['calendar'], security, summary: 'Revoke my calendar feed addresses', response: { 200: z.object({ revoked: z.boolean() }) } },
      },
      async (request) => ({ revoked: await deps.calendar.revoke(identityOf(request)) }),
    );

    app.get(
      '/api/calendar/:token/:courseId/sessions.ics',
      {
        // No portal token: a calendar app sends only the address. Limited per client address.
        config: { rateLimit: deps.limits.perAddress },
        schema: {
          tags: ['calendar'],
          summary: 'A course’s sessions as an iCalendar feed (RFC 5545), for the feed token’s owner; 404 for any token or course they may not read',
          params: feedParams,
        },
      },
      async (request, reply) => {
        const feed = await deps.calendar.feed(request.params.token, request.params.courseId);
        const locale = localeFrom(request.headers['accept-language']);
        reply.header('cache-control', 'private, no-store');
        reply.header('content-disposition', `inline; filename="${feed.courseId}.ics"`);
        return reply.type('text/calendar; charset=utf-8').send(toICalendar(feed, deps.publicUrl.hostname, locale));
      },
    );
  };
}
