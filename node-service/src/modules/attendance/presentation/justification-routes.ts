import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { courseIdSchema } from '../../../shared/ids.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { JustificationService } from '../application/justifications.js';
import type { Justification } from '../application/ports.js';

const idParams = z.object({ id: z.string().regex(/^[1-9]\d{0,17}$/, { error: 'expected a justification id' }) });
const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, { error: 'expected the document in base64' });
/** A file's name as shown and sent back in Content-Disposition: no control characters, no lone surrogates. */
const fileName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f') && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name), {
    error: 'expected a file name without control characters',
  });
const requestBody = z
  .object({
    sessionId: z.uuid({ error: 'expected a session id' }),
    reason: z.string().trim().min(3).max(1000),
    /** A PDF, JPEG or PNG (its type is read from its bytes), at most JUSTIFICATION_MAX_BYTES once decoded. */
    attachment: z.object({ name: fileName, data: base64.min(4) }).strict().nullable().default(null),
  })
  .strict();
const decisionBody = z
  .object({ decision: z.enum(['approved', 'rejected']), note: z.string().trim().min(1).max(500).nullable().default(null) })
  .strict();

const justificationSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  courseId: z.string(),
  courseName: z.string(),
  plannedStart: z.string(),
  room: z.string(),
  studentId: z.string(),
  studentName: z.string(),
  reason: z.string(),
  attachment: z.object({ type: z.enum(['application/pdf', 'image/jpeg', 'image/png']), name: z.string(), bytes: z.number() }).nullable(),
  state: z.enum(['pending', 'approved', 'rejected']),
  requestedAt: z.string(),
  decision: z
    .object({ by: z.object({ id: z.string(), name: z.string(), role: z.enum(['teacher', 'admin']) }), at: z.string(), note: z.string().nullable() })
    .nullable(),
});
const listSchema = z.object({ justifications: z.array(justificationSchema) });

const toJson = (j: Justification): z.infer<typeof justificationSchema> => ({
  id: j.id,
  sessionId: j.sessionId,
  courseId: j.courseId,
  courseName: j.courseName,
  plannedStart: j.plannedStart.toISOString(),
  room: j.room,
  studentId: j.studentId,
  studentName: j.studentName,
  reason: j.reason,
  attachment: j.attachment,
  state: j.state,
  requestedAt: j.requestedAt.toISOString(),
  decision: j.decision ? { by: j.decision.by, at: j.decision.at.toISOString(), note: j.decision.note } : null,
});

/** A student asks to justify an absence; the class's teacher reads the requests, opens the document and decides. */
export function justificationRoutes(deps: { justifications: JustificationService; guards: AuthGuards; limits: RateLimits; bodyLimit: number }): FastifyPluginAsyncZod {
  const rateLimit = deps.limits.perUser;
  const student = { preHandler: deps.guards.roles('student'), config: { rateLimit } };
  const teacher = { preHandler: deps.guards.roles('teacher', 'admin'), config: { rateLimit } };
  const security = [{ portalToken: [] }];
  // Room for the document in base64 and the rest of the body (config: justifications.bodyLimitBytes, the
  // door's too); a document over JUSTIFICATION_MAX_BYTES within it is refused with its own message.
  const { bodyLimit } = deps;
  return async (app) => {
    app.post(
      '/api/me/justifications',
      {
        ...student,
        bodyLimit,
        schema: {
          tags: ['results'],
          security,
          summary: 'Ask to justify my absence from a class: a reason and optionally a document (PDF, JPEG or PNG, base64)',
          body: requestBody,
          response: { 201: justificationSchema },
        },
      },
      async (request, reply) => {
        const { sessionId, reason, attachment } = request.body;
        const created = await deps.justifications.request(identityOf(request), {
          sessionId,
          reason,
          attachment: attachment ? { name: attachment.name, bytes: Buffer.from(attachment.data, 'base64') } : null,
        });
        return reply.code(201).send(toJson(created));
      },
    );

    app.get(
      '/api/me/justifications',
      { ...student, schema: { tags: ['results'], security, summary: 'My requests to justify absences and their decisions, newest first', response: { 200: listSchema } } },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return { justifications: (await deps.justifications.mine(identityOf(request))).map(toJson) };
      },
    );

    app.get(
      '/api/courses/:courseId/justifications',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'The course’s requests to justify absences: waiting ones first, then the history',
          params: z.object({ courseId: courseIdSchema }),
          response: { 200: listSchema },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return { justifications: (await deps.justifications.ofCourse(identityOf(request), request.params.courseId)).map(toJson) };
      },
    );

    app.post(
      '/api/justifications/:id/decision',
      {
        ...teacher,
        schema: {
          tags: ['results'],
          security,
          summary: 'Approve (the class becomes Justificado, an audited correction) or reject a request, with an optional note',
          params: idParams,
          body: decisionBody,
          response: { 200: justificationSchema },
        },
      },
      async (request) => toJson(await deps.justifications.decide(identityOf(request), request.params.id, request.body.decision, request.body.note)),
    );

    app.get(
      '/api/justifications/:id/attachment',
      {
        preHandler: deps.guards.roles('student', 'teacher', 'admin'),
        config: { rateLimit },
        schema: { tags: ['results'], security, summary: 'The document of a request: for its student and the class’s teacher', params: idParams },
      },
      async (request, reply) => {
        const document = await deps.justifications.attachment(identityOf(request), request.params.id);
        const ascii = document.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\w.-]+/g, '_');
        // Served as what its bytes are, never sniffed, never run: a document, not a page.
        reply.header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(document.name)}`);
        reply.header('x-content-type-options', 'nosniff');
        reply.header('content-security-policy', "default-src 'none'; sandbox");
        reply.header('cache-control', 'private, no-store');
        return reply.type(document.type).send(document.bytes);
      },
    );
  };
}
