import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { DeviceManagement } from '../application/devices.js';
import type { RegistrationResponse } from '../application/ports.js';
import type { RegistrationService } from '../application/registration.js';
import {
  creationOptionsSchema,
  deviceIdParams,
  deviceNameSchema,
  deviceSchema,
  deviceView,
  overviewSchema,
  overviewView,
  reasonSchema,
  registrationResponseSchema,
} from './schemas.js';

/** The signed-in student enrols a passkey and manages their own devices. The student id is the token's. */
export function studentRoutes(deps: {
  registration: RegistrationService;
  management: DeviceManagement;
  guards: AuthGuards;
  limits: RateLimits;
}): FastifyPluginAsyncZod {
  const common = {
    preHandler: deps.guards.roles('student'),
    config: { rateLimit: deps.limits.perUser },
  };
  const tags = ['enrollment'];
  const security = [{ portalToken: [] }];

  return async (app) => {
    app.post(
      '/api/enrollment/options',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Registration options with a fresh single-use challenge (policy checked first)',
          response: { 200: z.object({ options: creationOptionsSchema }) },
        },
      },
      async (request) => ({ options: await deps.registration.begin(identityOf(request)) }),
    );

    app.post(
      '/api/enrollment/verify',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Verify the authenticator response and store the device',
          body: z.object({ response: registrationResponseSchema, name: deviceNameSchema.optional() }),
          response: { 201: z.object({ device: deviceSchema }) },
        },
      },
      async (request, reply) => {
        const { response, name } = request.body;
        const device = await deps.registration.finish(identityOf(request), response as RegistrationResponse, name);
        return reply.status(201).send({ device: deviceView(device) });
      },
    );

    app.get(
      '/api/enrollment/devices',
      {
        ...common,
        schema: { tags, security, summary: 'My devices and when I may enrol another', response: { 200: overviewSchema } },
      },
      async (request) => overviewView(await deps.management.overview(identityOf(request).id)),
    );

    app.patch(
      '/api/enrollment/devices/:deviceId',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Rename one of my devices',
          params: deviceIdParams,
          body: z.object({ name: deviceNameSchema }),
          response: { 200: z.object({ device: deviceSchema }) },
        },
      },
      async (request) => {
        const device = await deps.management.renameOwn(identityOf(request).id, request.params.deviceId, request.body.name);
        return { device: deviceView(device) };
      },
    );

    app.post(
      '/api/enrollment/devices/:deviceId/revoke',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Revoke one of my devices, saying why',
          params: deviceIdParams,
          body: z.object({ reason: reasonSchema }),
          response: { 200: z.object({ device: deviceSchema }) },
        },
      },
      async (request) => {
        const device = await deps.management.revokeOwn(identityOf(request).id, request.params.deviceId, request.body.reason);
        return { device: deviceView(device) };
      },
    );
  };
}
