import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertionResponseSchema, base64url, p256SignatureSchema } from '../../../shared/webauthn/schemas.js';
import type { ScanService } from '../application/scan.js';

const phoneSignature = p256SignatureSchema;

/** The phone key's proof (shared/phone-key.ts): its id, a fresh nonce, its signature over the code and nonce. */
const phoneProof = z
  .object({
    keyId: z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'expected a phone key id (SHA-256, base64url)' }),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, { error: 'expected 16 to 64 base64url characters' }),
    signature: phoneSignature,
  })
  .strict();

const challengeBody = z.union([
  z.object({ token: base64url(64), phone: phoneProof }).strict(),
  z.object({ code: z.string().regex(/^\d{6}$/, { error: 'expected the 6 digits shown on the screen' }), phone: phoneProof }).strict(),
]);

const resultSchema = z.object({
  outcome: z.enum(['confirmed', 'already_confirmed']),
  walkIn: z.boolean(),
  round: z.number(),
  session: z.object({ id: z.string(), courseName: z.string(), room: z.string() }),
});

/**
 * The public scan step (no portal login: the phone key proves which phone asks, the passkey who signs).
 * Limited per client network inside the challenge (scan/infrastructure/scan-state.ts), where the
 * service knows whether an enrolled phone signed: a whole classroom may share one campus address.
 */
export function scanRoutes(deps: { scan: ScanService }): FastifyPluginAsyncZod {
  // The answers are the service's own objects, already shaped by the scan service: plain JSON.stringify
  // instead of a zod pass over every answer on the hottest routes (the schemas still document them).
  const serializerCompiler = () => (data: unknown) => JSON.stringify(data);
  return async (app) => {
    app.post(
      '/api/scan/challenge',
      {
        schema: {
          tags: ['scan'],
          summary: 'Exchange a live QR token (or the typed fallback code), signed by the phone key, for a WebAuthn challenge',
          body: challengeBody,
          response: {
            200: z.object({
              challengeId: z.string(),
              options: z.record(z.string(), z.unknown()),
              expiresInSeconds: z.number(),
              session: z.object({ courseName: z.string(), room: z.string(), round: z.number() }),
            }),
          },
        },
        serializerCompiler,
      },
      async (request) => {
        const body = request.body;
        return deps.scan.challenge({
          ...('token' in body ? { token: body.token } : { code: body.code }),
          phone: { keyId: body.phone.keyId, nonce: body.phone.nonce, signature: Buffer.from(body.phone.signature, 'base64url') },
          clientAddress: request.ip ?? null,
        });
      },
    );

    app.post(
      '/api/scan/confirm',
      {
        schema: {
          tags: ['scan'],
          summary: 'Confirm attendance with the passkey assertion for that challenge, signed by the same phone key',
          body: z.object({ challengeId: base64url(64), assertion: assertionResponseSchema, phoneSignature }).strict(),
          response: { 200: resultSchema },
        },
        serializerCompiler,
      },
      async (request) =>
        deps.scan.confirm({
          challengeId: request.body.challengeId,
          credentialId: request.body.assertion.id,
          response: request.body.assertion,
          phoneSignature: Buffer.from(request.body.phoneSignature, 'base64url'),
          clientAddress: request.ip ?? null,
        }),
    );
  };
}
