import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { GradeSync } from '../application/grade-sync.js';
import type { ToolKeys } from '../application/ports.js';
import type { RegistrationService, ToolUrls } from '../application/registration.js';
import type { RosterService } from '../application/roster.js';

const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);
const deploymentId = z.string().trim().min(1).max(255);
const courseParams = z.object({ courseId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const platformParams = z.object({ platformId: z.string().regex(/^[0-9]{1,18}$/) });

const platformSchema = z.object({
  id: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  name: z.string(),
  authUrl: z.string(),
  tokenUrl: z.string(),
  jwksUrl: z.string(),
  registeredBy: z.enum(['manual', 'dynamic']),
  deployments: z.array(z.string()),
});
const newPlatformSchema = z.object({
  issuer: httpUrl,
  clientId: z.string().trim().min(1).max(255),
  name: z.string().trim().max(200).default(''),
  authUrl: httpUrl,
  tokenUrl: httpUrl,
  jwksUrl: httpUrl,
  deployments: z.array(deploymentId).max(50).default([]),
});
const linkSchema = z.object({
  platformId: z.string(),
  contextId: z.string(),
  contextTitle: z.string(),
  nrps: z.boolean(),
  ags: z.boolean(),
  lineItem: z.boolean(),
  rosterSyncedAt: z.date().nullable(),
});
const gradeSchema = z.object({
  studentId: z.string(),
  score: z.number(),
  state: z.enum(['sent', 'pending', 'failed']),
  error: z.string().nullable(),
  attempts: z.number(),
  updatedAt: z.date(),
});

/** The admin's registrations and keys; the teacher's view of a course's LMS roster and grades. */
export function ltiApiRoutes(deps: {
  registration: RegistrationService;
  roster: RosterService;
  grades: GradeSync;
  keys: ToolKeys;
  urls: ToolUrls;
  guards: AuthGuards;
  limits: RateLimits;
}): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = { preHandler: deps.guards.roles('admin'), config: { rateLimit: deps.limits.perUser } };
    const teacher = { preHandler: deps.guards.roles('teacher', 'admin'), config: { rateLimit: deps.limits.perUser } };
    const security = [{ portalToken: [] }];

    app.get(
      '/api/admin/lti/tool',
      {
        schema: { tags: ['lti'], summary: 'The addresses an LMS administrator registers Asistencia with', security, response: { 200: z.object({ login: z.string(), launch: z.string(), jwks: z.string(), register: z.string(), domain: z.string() }) } },
        ...admin,
      },
      async () => deps.urls,
    );
    app.get(
      '/api/admin/lti/platforms',
      { schema: { tags: ['lti'], summary: 'Registered platforms (LMSs)', security, response: { 200: z.object({ platforms: z.array(platformSchema) }) } }, ...admin },
      async () => ({ platforms: await deps.registration.list() }),
    );
    app.post(
      '/api/admin/lti/platforms',
      { schema: { tags: ['lti'], summary: 'Registers a platform by hand', security, body: newPlatformSchema, response: { 201: platformSchema } }, ...admin },
      async (request, reply) => reply.status(201).send(await deps.registration.create(request.body)),
    );
    app.post(
      '/api/admin/lti/platforms/:platformId/deployments',
      { schema: { tags: ['lti'], summary: 'Accepts one more deployment id of a platform', security, params: platformParams, body: z.object({ deploymentId }), response: { 200: platformSchema } }, ...admin },
      async (request) => deps.registration.addDeployment(request.params.platformId, request.body.deploymentId),
    );
    app.delete(
      '/api/admin/lti/platforms/:platformId',
      { schema: { tags: ['lti'], summary: 'Removes a platform (its course links, roster and grade states go with it)', security, params: platformParams, response: { 204: z.null() } }, ...admin },
      async (request, reply) => {
        await deps.registration.remove(request.params.platformId);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/admin/lti/invitations',
      { schema: { tags: ['lti'], summary: 'A one-time link for LTI Dynamic Registration', security, response: { 201: z.object({ url: z.string(), expiresAt: z.date() }) } }, ...admin },
      async (request, reply) => reply.status(201).send(await deps.registration.invite(identityOf(request).id)),
    );
    app.post(
      '/api/admin/lti/keys/rotate',
      { schema: { tags: ['lti'], summary: 'Rotates the tool’s signing key (the previous one stays published)', security, response: { 200: z.object({ kid: z.string() }) } }, ...admin },
      async () => deps.keys.rotate(),
    );

    app.get(
      '/api/lti/courses/:courseId',
      {
        schema: {
          tags: ['lti'],
          summary: 'A course in the LMS: its links, the merged roster with each student’s source, and each grade’s state',
          security,
          params: courseParams,
          response: {
            200: z.object({
              links: z.array(linkSchema),
              students: z.array(z.object({ studentId: z.string().nullable(), name: z.string(), email: z.string().nullable(), source: z.enum(['both', 'portal', 'lms']) })),
              grades: z.array(gradeSchema),
            }),
          },
        },
        ...teacher,
      },
      async (request) => {
        const actor = identityOf(request);
        const { links, students } = await deps.roster.merged(actor, request.params.courseId);
        const grades = await deps.grades.status(actor, request.params.courseId);
        return {
          links: links.map((l) => ({
            platformId: l.platformId,
            contextId: l.contextId,
            contextTitle: l.contextTitle,
            nrps: l.membershipsUrl !== null,
            ags: l.lineitemsUrl !== null,
            lineItem: l.lineitemUrl !== null,
            rosterSyncedAt: l.rosterSyncedAt,
          })),
          students,
          grades: grades.map((g) => ({ studentId: g.studentId, score: g.score, state: g.state, error: g.lastError, attempts: g.attempts, updatedAt: g.updatedAt })),
        };
      },
    );
    app.post(
      '/api/lti/courses/:courseId/roster/sync',
      { schema: { tags: ['lti'], summary: 'Reads the course roster from the LMS now (NRPS)', security, params: courseParams, response: { 200: z.object({ members: z.number() }) } }, ...teacher },
      async (request) => deps.roster.syncCourse(identityOf(request), request.params.courseId),
    );
    app.post(
      '/api/lti/courses/:courseId/grades/sync',
      { schema: { tags: ['lti'], summary: 'Sends the course’s attendance grades to the LMS now (AGS)', security, params: courseParams, response: { 200: z.object({ sent: z.number(), failed: z.number() }) } }, ...teacher },
      async (request) => deps.grades.syncCourse(identityOf(request), request.params.courseId),
    );
  };
}
