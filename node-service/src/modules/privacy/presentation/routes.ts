import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { StudentDataService } from '../application/student-data.js';
import { studentDataRows, type StudentData } from '../domain/student-data.js';
import { personIdSchema } from '../../../shared/ids.js';

const formatQuery = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();
const studentParams = z.object({ studentId: personIdSchema });

/** A cell a spreadsheet could run as a formula is prefixed with an apostrophe. */
const cell = (value: string) => {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",;\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

function send(reply: FastifyReply, data: StudentData, format: 'json' | 'csv') {
  const name = `mis-datos-${data.identity.studentId.replace(/[^\w-]+/g, '_')}.${format}`;
  reply.header('content-disposition', `attachment; filename="${name}"`);
  reply.header('cache-control', 'no-store');
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(data, null, 2));
  const csv = studentDataRows(data).map((row) => row.map(cell).join(',')).join('\r\n');
  return reply.type('text/csv; charset=utf-8').send(`\uFEFF${csv}\r\n`);
}

/** Access and portability for the student; access and erasure, audited, for admins (docs/privacy.md). */
export function privacyRoutes(deps: { service: StudentDataService; guards: AuthGuards; limits: RateLimits }): FastifyPluginAsyncZod {
  const security = [{ portalToken: [] }];
  const config = { rateLimit: deps.limits.perUser };
  return async (app) => {
    app.get(
      '/api/me/data',
      {
        preHandler: deps.guards.roles('student'),
        config,
        schema: { tags: ['privacy'], security, summary: 'Everything the service holds about me (JSON or CSV)', querystring: formatQuery },
      },
      async (request, reply) => send(reply, await deps.service.own(identityOf(request)), request.query.format),
    );

    app.get(
      '/api/admin/students/:studentId/data',
      {
        preHandler: deps.guards.roles('admin'),
        config,
        schema: { tags: ['privacy'], security, summary: 'Everything held about a student (JSON or CSV); every read is audited', params: studentParams, querystring: formatQuery },
      },
      async (request, reply) => send(reply, await deps.service.ofStudent(identityOf(request), request.params.studentId), request.query.format),
    );

    app.post(
      '/api/admin/students/:studentId/erasure',
      {
        preHandler: deps.guards.roles('admin'),
        config,
        schema: {
          tags: ['privacy'],
          security,
          summary: 'Erase a student: devices and receipts deleted, results kept under an anonymous id; audited (who, when, why)',
          params: studentParams,
          body: z.object({ reason: z.string().trim().min(3).max(500) }).strict(),
          response: { 200: z.object({ anonymousId: z.string() }) },
        },
      },
      async (request) => deps.service.erase(identityOf(request), request.params.studentId, request.body.reason),
    );
  };
}
