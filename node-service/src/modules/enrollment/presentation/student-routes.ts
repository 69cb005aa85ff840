import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import { assertionResponseSchema } from '../../../shared/webauthn/schemas.js';
import { identityOf, type AuthGuards } from '../../auth/index.js';
import type { DeviceManagement } from '../application/devices.js';
import type { RegistrationResponse } from '../application/ports.js';
import type { RebindingService } from '../application/rebinding.js';
import type { RegistrationService } from '../application/registration.js';
import type { RevocationService } from '../application/revocation.js';
import { deviceSchema, overviewSchema } from './responses.js';
import {
  creationOptionsSchema,
  deviceIdParams,
  deviceNameSchema,
  deviceView,
  overviewView,
  phoneKeySchema,
  reasonSchema,
  registrationResponseSchema,
} from './schemas.js';

/** The signed-in student enrols a passkey and manages their own devices. The student id is the token's. */
export function studentRoutes(deps: {
  registration: RegistrationService;
  rebinding: RebindingService;
  revocation: RevocationService;
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
      '/api/enrollment/options/proof',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Assertion options naming my devices in use: adding another device needs the passkey of one of them',
          response: { 200: z.object({ options: z.record(z.string(), z.unknown()) }) },
        },
      },
      async (request) => ({ options: await deps.registration.proofOptions(identityOf(request)) }),
    );

    app.post(
      '/api/enrollment/options',
      {
        ...common,
        schema: {
          tags,
          security,
          summary:
            'Registration options with a fresh single-use challenge (policy checked first); while a device is in use, `assertion` proves one (without it: ENROLLMENT_PASSKEY_REQUIRED_TO_ADD)',
          body: z.object({ assertion: assertionResponseSchema.optional() }).strict().nullish(),
          response: { 200: z.object({ options: creationOptionsSchema }) },
        },
      },
      async (request) => ({ options: await deps.registration.begin(identityOf(request), request.body?.assertion) }),
    );

    app.post(
      '/api/enrollment/verify',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: "Verify the authenticator response and the phone key's signature, and store the device bound to that phone",
          body: z.object({ response: registrationResponseSchema, phoneKey: phoneKeySchema, name: deviceNameSchema.optional() }).strict(),
          response: { 201: z.object({ device: deviceSchema }) },
        },
      },
      async (request, reply) => {
        const { response, phoneKey, name } = request.body;
        const device = await deps.registration.finish(identityOf(request), response as RegistrationResponse, phoneKeyProof(phoneKey), name);
        return reply.status(201).send({ device: deviceView(device) });
      },
    );

    app.post(
      '/api/enrollment/rebind/options',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: 'Assertion options naming my active passkeys, to link this phone again',
          response: { 200: z.object({ options: z.record(z.string(), z.unknown()) }) },
        },
      },
      async (request) => ({ options: await deps.rebinding.begin(identityOf(request)) }),
    );

    app.post(
      '/api/enrollment/rebind',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: "Bind a new phone key to my passkey's device, proven by the passkey and the phone key",
          body: z.object({ assertion: assertionResponseSchema, phoneKey: phoneKeySchema }).strict(),
          response: { 200: z.object({ device: deviceSchema }) },
        },
      },
      async (request) => {
        const device = await deps.rebinding.finish(identityOf(request), request.body.assertion, phoneKeyProof(request.body.phoneKey));
        return { device: deviceView(device) };
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
      '/api/enrollment/devices/:deviceId/revoke/options',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: "Assertion options naming that device's passkey, with a fresh single-use challenge: revoking needs it",
          params: deviceIdParams,
          response: { 200: z.object({ options: z.record(z.string(), z.unknown()) }) },
        },
      },
      async (request) => ({ options: await deps.revocation.begin(identityOf(request), request.params.deviceId) }),
    );

    app.post(
      '/api/enrollment/devices/:deviceId/revoke',
      {
        ...common,
        schema: {
          tags,
          security,
          summary: "Revoke one of my devices, saying why, proven by that device's passkey (without it: ENROLLMENT_PASSKEY_REQUIRED)",
          params: deviceIdParams,
          body: z.object({ reason: reasonSchema, assertion: assertionResponseSchema.optional() }).strict(),
          response: { 200: z.object({ device: deviceSchema }) },
        },
      },
      async (request) => {
        const { reason, assertion } = request.body;
        const device = await deps.revocation.finish(identityOf(request), request.params.deviceId, reason, assertion);
        return { device: deviceView(device) };
      },
    );
  };
}

function phoneKeyProof(phoneKey: { publicKey: string; signature: string }) {
  return { publicKey: Buffer.from(phoneKey.publicKey, 'base64url'), signature: Buffer.from(phoneKey.signature, 'base64url') };
}
