import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { DeviceManagement } from '../application/devices.js';
import { peopleOfDevices, peopleOfHistory, type StudentLookup } from '../application/student-lookup.js';
import { deviceSchema } from './responses.js';
import {
  adminHistorySchema,
  adminOverviewSchema,
  attentionSchema,
  deviceIdParams,
  deviceView,
  historyView,
  lookupQuerySchema,
  overviewView,
  reasonSchema,
  studentIdSchema,
  studentSearchSchema,
} from './schemas.js';

/**
 * An admin finds a student by name, username or id, and looks after any student's devices; every change is
 * audited with the admin's id and reason. Answers name the people in them, from the portal's directory.
 */
export function adminRoutes(deps: { management: DeviceManagement; lookup: StudentLookup; guards: AuthGuards; limits: RateLimits }): FastifyPluginAsyncZod {
  const common = {
    preHandler: deps.guards.roles('admin'),
    config: { rateLimit: deps.limits.perUser },
  };
  const tags = ['device administration'];
  const security = [{ portalToken: [] }];
  const admin = (request: Parameters<typeof identityOf>[0]) => ({ id: identityOf(request).id, role: 'admin' as const });

  return async (app) => {
    app.get(
      '/api/admin/students',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Find students by name, username or id (accents and case ignored), at most ADMIN_SEARCH_MAX_RESULTS',
          querystring: lookupQuerySchema,
          response: { 200: studentSearchSchema },
        },
      },
      async (request) => ({ query: request.query.q, ...(await deps.lookup.find(request.query.q)) }),
    );

    app.get(
      '/api/admin/devices/attention',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Devices to look at: blocked ones first, then those with alerts (shared phone, synced passkey, frequent re-bindings)',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: { 200: attentionSchema },
        },
      },
      async (request) => {
        const devices = await deps.management.needingAttention(request.query.limit);
        return { devices: devices.map(deviceView), people: await deps.lookup.names(peopleOfDevices(devices)) };
      },
    );

    app.get(
      '/api/admin/devices',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: "A student's devices and cooldown",
          querystring: z.object({ studentId: studentIdSchema }),
          response: { 200: adminOverviewSchema },
        },
      },
      async (request) => {
        const overview = await deps.management.overview(request.query.studentId);
        return { ...overviewView(overview), people: await deps.lookup.names([overview.studentId, ...peopleOfDevices(overview.devices)]) };
      },
    );

    app.get(
      '/api/admin/devices/history',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: "A student's enrolment history: who did what, when and why (newest first)",
          querystring: z.object({ studentId: studentIdSchema, limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: { 200: adminHistorySchema },
        },
      },
      async (request) => {
        const { studentId, limit } = request.query;
        const entries = await deps.management.history(studentId, limit);
        return { ...historyView(studentId, entries), people: await deps.lookup.names([studentId, ...peopleOfHistory(entries)]) };
      },
    );

    app.post(
      '/api/admin/devices/:deviceId/revoke',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Revoke any device, saying why',
          params: deviceIdParams,
          body: z.object({ reason: reasonSchema }),
          response: { 200: z.object({ device: deviceSchema }) },
        },
      },
      async (request) => {
        const device = await deps.management.revoke(admin(request), request.params.deviceId, request.body.reason);
        return { device: deviceView(device) };
      },
    );

    app.post(
      '/api/admin/devices/reset',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: "Clear a student's re-enrolment cooldown, saying why (devices are not touched)",
          body: z.object({ studentId: studentIdSchema, reason: reasonSchema }),
          response: { 200: adminOverviewSchema },
        },
      },
      async (request) => {
        const overview = await deps.management.reset(admin(request), request.body.studentId, request.body.reason);
        return { ...overviewView(overview), people: await deps.lookup.names([overview.studentId, ...peopleOfDevices(overview.devices)]) };
      },
    );
  };
}
