import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { localeFrom } from '../../../shared/http/locale.js';
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

/** JSON as held; CSV one value per row in the reader's language, `;` and decimal comma in Spanish (Excel in es-CL). */
function send(reply: FastifyReply, data: StudentData, format: 'json' | 'csv', form: { locale: 'es' | 'en'; timeZone: string }) {
  const name = `mis-datos-${data.identity.studentId.replace(/[^\w-]+/g, '_')}.${format}`;
  reply.header('content-disposition', `attachment; filename="${name}"`);
  reply.header('cache-control', 'no-store');
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(data, null, 2));
  const separator = form.locale === 'es' ? ';' : ',';
  const csv = studentDataRows(data, form).map((row) => row.map(cell).join(separator)).join('\r\n');
  return reply.type('text/csv; charset=utf-8').send(`\uFEFF${csv}\r\n`);
}

/** Access and portability for the student; access and erasure, audited, for admins (docs/privacy.md). */
export function privacyRoutes(deps: { service: StudentDataService; guards: AuthGuards; limits: RateLimits; timeZone: string }): FastifyPluginAsyncZod {
  const form = (request: FastifyRequest) => ({ locale: localeFrom(request.headers['accept-language']), timeZone: deps.timeZone });
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
      async (request, reply) => send(reply, await deps.service.own(identityOf(request)), request.query.format, form(request)),
    );

    app.get(
      '/api/admin/students/:studentId/data',
      {
        preHandler: deps.guards.roles('admin'),
        config,
        schema: { tags: ['privacy'], security, summary: 'Everything held about a student (JSON or CSV); every read is audited', params: studentParams, querystring: formatQuery },
      },
      async (request, reply) => send(reply, await deps.service.ofStudent(identityOf(request), request.params.studentId), request.query.format, form(request)),
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
