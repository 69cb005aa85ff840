import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import metrics from 'fastify-metrics';
import { randomUUID } from 'node:crypto';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config/env.js';
import { commonErrors } from './shared/errors.js';
import { installErrorHandler } from './shared/http/error-handler.js';
import { installInputGuard } from './shared/http/input-guard.js';
import { rateLimits } from './shared/http/rate-limits.js';
import { rateLimitStoreFor } from './shared/http/rate-limit-store.js';
import { loggerOptions } from './shared/logger.js';
import type { KeyValueStore } from './shared/storage/key-value.js';
import { migrationsApplied } from './shared/storage/migrations.js';
import type { SqlDatabase } from './shared/storage/sql.js';
import { createAssertionVerifier } from './shared/webauthn/assertion.js';
import { createAuthModule } from './modules/auth/index.js';
import { createDevPortalModule } from './modules/dev-portal/index.js';
import { healthRoutes } from './modules/health/index.js';
import { registerGateway, type Gateway } from './modules/realtime/index.js';
import { createAttendanceModule } from './modules/attendance/index.js';
import { createDirectory } from './modules/directory/index.js';
import { createEnrollmentModule } from './modules/enrollment/index.js';
import { createScanModule } from './modules/scan/index.js';
import { createPagesModule } from './modules/pages/index.js';
import { createLiveCodeReader, createQrProjectionModule } from './modules/qr-projection/index.js';

export const BASE_PATH = '/asistencia';

export interface AppDependencies {
  config: Config;
  db: SqlDatabase;
  store: KeyValueStore;
}

export interface App {
  server: FastifyInstance;
  gateway: Gateway;
}

/**
 * The composition root: builds every module by hand from its dependencies and never listens.
 * `main.ts` opens the pools, listens and shuts down; tests call `buildApp` and use `inject()` or listen.
 */
export async function buildApp({ config, db, store }: AppDependencies): Promise<App> {
  const server = Fastify({
    logger: loggerOptions(config),
    trustProxy: config.trustProxy,
    bodyLimit: config.limits.bodyBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  installErrorHandler(server);
  installInputGuard(server);
  server.decorateRequest('identity', null);
  server.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await server.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'self'"],
        // The API docs page (swagger-ui) needs inline styles.
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
    hsts: config.publicUrl.protocol === 'https:',
  });
  await server.register(cookie);
  await server.register(rateLimit, { global: false, store: rateLimitStoreFor(store), errorResponseBuilder: rateLimitError });
  await server.register(websocket, { options: { maxPayload: config.limits.wsMaxMessageBytes } });
  await server.register(metrics.default, { clearRegisterOnInit: true, endpoint: `${BASE_PATH}/metrics`, routeMetrics: { enabled: true, registeredRoutesOnly: true } });
  await server.register(swagger, {
    openapi: {
      info: { title: 'Asistencia API', version: '0.1.0', description: 'Classroom attendance: rotating QR plus passkey.' },
      components: {
        securitySchemes: {
          portalToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Portal JWT (HS256)' },
          serviceCredential: { type: 'http', scheme: 'bearer', description: 'INTERNAL_API_TOKEN, server to server' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await server.register(swaggerUi, { routePrefix: `${BASE_PATH}/docs` });

  const limits = rateLimits(config.limits);
  const auth = createAuthModule({ jwt: config.jwt, store, internalApiToken: config.internalApiToken, limits });
  const directory = createDirectory({ portalUrl: config.portal.internalUrl, credential: config.internalApiToken });
  const report = (err: unknown, context: string) => server.log.warn({ err }, context);
  const liveCodes = createLiveCodeReader({ store, fallbackTtlMs: config.sessions.fallbackCodeTtlMs });
  const attendance = createAttendanceModule({
    db,
    store,
    directory,
    guards: auth.guards,
    limits,
    liveCodes,
    settings: {
      period: { minMs: config.sessions.minPeriodMs, maxMs: config.sessions.maxPeriodMs },
      defaultPeriodMs: config.sessions.defaultPeriodMs,
      defaultLateAfterMinutes: config.sessions.defaultLateAfterMinutes,
      listLimit: config.sessions.listLimit,
    },
    liveCountIntervalMs: config.sessions.liveCountIntervalMs,
    timeZone: config.timeZone,
    report,
  });
  const projection = createQrProjectionModule({
    store,
    sessions: { authorize: (actor, id) => attendance.sessions.get(actor, id), ...attendance.reader },
    events: attendance.events,
    publicOrigin: config.publicUrl.origin,
    maxPerConnection: config.sessions.maxProjectionsPerConnection,
    fallbackTtlMs: config.sessions.fallbackCodeTtlMs,
    report,
  });
  const assertions = createAssertionVerifier(config.webauthn);
  const enrollment = createEnrollmentModule({ config, db, store, assertions, guards: auth.guards, limits });
  const scan = createScanModule({
    store,
    liveCodes,
    sessions: attendance.reader,
    credentials: enrollment.credentials,
    confirmations: attendance.confirmations,
    assertions,
    challengeTtlMs: config.scan.challengeTtlMs,
    requestsPerMinutePerAddress: config.scan.requestsPerMinutePerAddress,
    typedCodeFailuresPerMinute: config.scan.typedCodeFailuresPerMinute,
  });
  const pages = createPagesModule({
    webDir: config.webDir,
    tokenUrl: config.portal.tokenUrl,
    loginUrl: config.portal.loginUrl,
    devSignIn: config.devSignIn,
    timeZone: config.timeZone,
    sessionLimits: {
      minPeriodMs: config.sessions.minPeriodMs,
      maxPeriodMs: config.sessions.maxPeriodMs,
      defaultPeriodMs: config.sessions.defaultPeriodMs,
      defaultLateAfterMinutes: config.sessions.defaultLateAfterMinutes,
    },
  });

  let gateway!: Gateway;
  await server.register(
    async (scoped) => {
      const app = scoped.withTypeProvider<ZodTypeProvider>();
      await app.register(healthRoutes([
        { part: 'postgres', check: async () => (await db.ping(), true) },
        { part: 'valkey', check: async () => (await store.ping(), true) },
        { part: 'migrations', check: () => migrationsApplied(db, config.migrationsDir) },
      ]));
      await app.register(auth.routes);
      await app.register(attendance.routes);
      await app.register(enrollment.routes);
      await app.register(scan.routes);
      if (config.devSignIn) {
        const devPortal = createDevPortalModule({
          jwt: config.jwt,
          sessionHours: config.limits.devSessionHours,
          secureCookie: config.publicUrl.protocol === 'https:',
          limits,
        });
        await app.register(devPortal.routes);
      }
      gateway = registerGateway(app, {
        authenticator: auth.authenticator,
        handlers: [...projection.handlers],
        authTimeoutMs: config.limits.wsAuthTimeoutMs,
      });
      await app.register(pages.routes);
    },
    { prefix: BASE_PATH },
  );
  // The service lives under BASE_PATH; someone typing the bare host gets there instead of a JSON 404.
  server.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect(`${BASE_PATH}/`));

  server.addHook('onClose', async () => attendance.confirmations.close());
  return { server, gateway };
}

function rateLimitError(_request: unknown, context: { ttl: number }) {
  return commonErrors.RATE_LIMITED({ seconds: Math.max(1, Math.ceil(context.ttl / 1000)) });
}
