import { EventEmitter } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import metrics from 'fastify-metrics';
import { randomUUID } from 'node:crypto';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config/env.js';
import { clockHealthy, createSharedClock, databaseTime, hostClock, type Clock, type SharedClock, type TimerClock } from './shared/clock.js';
import { commonErrors } from './shared/errors.js';
import { installErrorHandler } from './shared/http/error-handler.js';
import { installDrain } from './shared/http/drain.js';
import { installRequestDeadline } from './shared/http/deadline.js';
import { requestDeadline } from './shared/request-deadline.js';
import { boundedByDeadline } from './shared/storage/bounded-store.js';
import { createValkeyLatency, type ValkeyLatency } from './shared/storage/valkey-latency.js';
import { installInputGuard } from './shared/http/input-guard.js';
import { rateLimits } from './shared/http/rate-limits.js';
import { rateLimitStoreFor } from './shared/http/rate-limit-store.js';
import { loggerOptions, requestLogController } from './shared/logger.js';
import type { KeyValueStore } from './shared/storage/key-value.js';
import { migrationsApplied } from './shared/storage/migrations.js';
import { createReplicaReads, type ReplicaReads } from './shared/storage/replica-reads.js';
import type { SqlDatabase } from './shared/storage/sql.js';
import { createAssertionVerifier } from './shared/webauthn/assertion.js';
import { createCachedAssertionVerifier } from './shared/webauthn/cached-assertion.js';
import { createAuthModule } from './modules/auth/index.js';
import { createDevPortalModule } from './modules/dev-portal/index.js';
import { healthRoutes } from './modules/health/index.js';
import { createGateway, type Gateway } from './modules/realtime/index.js';
import { createAttendanceModule, type LmsGrade } from './modules/attendance/index.js';
import { createCourseAccess, createDirectory } from './modules/directory/index.js';
import { createEnrollmentModule } from './modules/enrollment/index.js';
import { createEvidenceModule } from './modules/evidence/index.js';
import { createPrivacyModule } from './modules/privacy/index.js';
import { createNotificationsModule, type MailRunCounts } from './modules/notifications/index.js';
import { createScanModule } from './modules/scan/index.js';
import { createPagesModule } from './modules/pages/index.js';
import { createLtiModule, type GradeSource } from './modules/lti/index.js';
import { createLiveCodeReader, createQrProjectionModule, type ProjectorHub } from './modules/qr-projection/index.js';


export interface AppDependencies {
  config: Config;
  db: SqlDatabase;
  store: KeyValueStore;
  /**
   * The read-only standby of DATABASE_REPLICA_URL (shared/storage/open.ts), when set: the reads that may be
   * seconds stale go there while it keeps up (docs/operations.md, "High availability"). The caller closes it.
   */
  replica?: SqlDatabase;
  /**
   * The time QR slots, code expiries and request arrivals are judged on. Production passes none: the shared
   * clock (PostgreSQL's, measured against this host's) is used. Tests pass a clock they step, so a test waits
   * for no slot to begin or code to expire in real time; every instance of one test must share it. Timers
   * (the projector's rotation) still run in real time and read this clock when they fire.
   */
  clock?: Clock;
  /**
   * The time portal tokens' `exp`, `nbf` and `iat` are judged on, and a WebSocket is closed at its token's
   * `exp` on. Production passes none: this host's clock and timers (the portal signs on its host's clock,
   * not PostgreSQL's). Tests pass a clock they step, to move a socket past its token's life without waiting.
   */
  tokenClock?: TimerClock;
}

/** The offset of this host's clock from the shared one, for Prometheus (asistencia_clock_offset_seconds). */
function exposeClockOffset(server: FastifyInstance, clock: SharedClock): void {
  const { Gauge, register } = server.metrics.client;
  // One registry per process: a second app built in the same process (tests) replaces the gauge.
  register.removeSingleMetric('asistencia_clock_offset_seconds');
  new Gauge({
    name: 'asistencia_clock_offset_seconds',
    help: "PostgreSQL's clock minus this host's, as last measured (slots are cut on PostgreSQL's)",
    registers: [register],
    collect() {
      const offset = clock.offsetMs();
      if (offset !== null) this.set(offset / 1000);
    },
  });
}

/**
 * Valkey's round trip (shared/storage/valkey-latency.ts) for Prometheus (asistencia_valkey_round_trip_seconds),
 * probed while the server runs.
 */
function probeValkeyLatency(server: FastifyInstance, store: KeyValueStore, probeMs: number): ValkeyLatency {
  const { Histogram, register } = server.metrics.client;
  register.removeSingleMetric('asistencia_valkey_round_trip_seconds');
  const roundTrips = new Histogram({
    name: 'asistencia_valkey_round_trip_seconds',
    help: 'Round trip of a PING on the connection requests share with their Valkey commands (queueing included)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [register],
  });
  const latency = createValkeyLatency({ ping: () => store.ping(), intervalMs: probeMs, observe: (seconds) => roundTrips.observe(seconds) });
  server.addHook('onReady', async () => latency.start());
  server.addHook('onClose', async () => latency.stop());
  return latency;
}

/** Valkey for `/ready`: failing when it does not answer, degraded when its round trip is past VALKEY_MAX_LATENCY_MS. */
async function valkeyState(latency: ValkeyLatency, maxMs: number) {
  await latency.measure();
  const ms = latency.currentMs();
  if (ms === null || ms <= maxMs) return true;
  return { state: 'degraded' as const, reason: `round trip ${Math.round(ms)} ms, past VALKEY_MAX_LATENCY_MS (${maxMs} ms)` };
}

/**
 * PostgreSQL refusing writes (read-only, in recovery, disk full): one operator-facing log line when an
 * episode begins and one when it ends (the refused requests log their own 503s), and a counter of refused
 * statements by cause, for Prometheus (asistencia_postgres_write_refusals_total).
 */
function reportWriteRefusals(server: FastifyInstance, db: SqlDatabase): void {
  const { Counter, register } = server.metrics.client;
  register.removeSingleMetric('asistencia_postgres_write_refusals_total');
  const refusals = new Counter({
    name: 'asistencia_postgres_write_refusals_total',
    help: 'Statements PostgreSQL refused because it does not accept writes now, by cause (read_only, hot_standby, in_recovery, disk_full, ...)',
    labelNames: ['cause'],
    registers: [register],
  });
  db.onWriteRefusal((event) => {
    const { cause, sqlstate, message } = event.refusal;
    if (event.kind === 'refused') {
      refusals.inc({ cause });
      if (event.began) server.log.error({ cause, sqlstate, reason: message }, `PostgreSQL refuses writes: ${cause} (SQLSTATE ${sqlstate}); requests that write answer 503`);
    } else {
      server.log.warn({ cause }, `PostgreSQL accepts writes again (after ${cause})`);
    }
  });
}

/** PostgreSQL for `/ready`: failing when out of reach, or when it refuses writes (saying why). */
async function postgresState(db: SqlDatabase) {
  const refusal = await db.writeRefusal();
  if (!refusal) return true;
  return { state: 'failing' as const, reason: `refusing writes: ${refusal.cause} (SQLSTATE ${refusal.sqlstate}): ${refusal.message}` };
}

/**
 * The reads that may be seconds stale: on the standby while it is no further behind than
 * DATABASE_REPLICA_MAX_LAG_SECONDS (probed every DATABASE_REPLICA_PROBE_MS), on the primary otherwise; its
 * lag for Prometheus (asistencia_postgres_replica_lag_seconds).
 */
function replicaReads(server: FastifyInstance, deps: { db: SqlDatabase; replica: SqlDatabase; settings: { maxLagMs: number; probeMs: number }; now: () => number }): ReplicaReads {
  const reads = createReplicaReads({
    primary: deps.db,
    replica: deps.replica,
    ...deps.settings,
    now: deps.now,
    report: (err, context) => server.log.warn({ err }, context),
  });
  const { Gauge, register } = server.metrics.client;
  register.removeSingleMetric('asistencia_postgres_replica_lag_seconds');
  new Gauge({
    name: 'asistencia_postgres_replica_lag_seconds',
    help: 'How far the PostgreSQL standby is behind the primary, as last probed (absent while unknown); past DATABASE_REPLICA_MAX_LAG_SECONDS its reads go to the primary',
    registers: [register],
    collect() {
      const { lagMs } = reads.state();
      if (lagMs !== null) this.set(lagMs / 1000);
    },
  });
  server.addHook('onReady', async () => reads.start());
  server.addHook('onClose', async () => reads.stop());
  return reads;
}

/** The standby for `/ready`: degraded (never failing) while its reads go to the primary, saying why. */
async function replicaState(reads: ReplicaReads) {
  const state = reads.state();
  return state.serving ? true : { state: 'degraded' as const, reason: `${state.reason}; its reads go to the primary` };
}

export interface App {
  server: FastifyInstance;
  gateway: Gateway;
  /** What the projectors of this instance hold (timers, channels): read by tests and metrics. */
  projectorHub: ProjectorHub;
  /** Warnings by e-mail: one run now (null when SMTP_URL is unset or another instance runs one). */
  mail: { enabled: boolean; runOnce(): Promise<MailRunCounts | null> };
  /** LTI grades: one pass of the job now (what the periodic job does every LTI_GRADE_SYNC_INTERVAL_SECONDS). */
  ltiGrades: { runOnce(): Promise<{ sent: number; failed: number }> };
  /**
   * A student's attendance grade in a course under its grade policy, for the LMS (issue #29: the LTI tool's
   * Assignment and Grade Services posts it as scoreGiven over scoreMaximum, with the comment).
   */
  grades: { gradeFor(courseId: string, studentId: string): Promise<LmsGrade> };
}

/**
 * The composition root: builds every module by hand from its dependencies and never listens.
 * `server.ts` opens the pools, listens and shuts down; tests call `buildApp` and use `inject()` or listen.
 */
export async function buildApp({ config, db, store: rawStore, replica, clock: given, tokenClock = hostClock }: AppDependencies): Promise<App> {
  // Requests wait for Valkey no longer than their deadline, and an outage answers 503 (shared/storage).
  const store = boundedByDeadline(rawStore);
  const server = Fastify({
    logger: await loggerOptions(config),
    logController: requestLogController(config),
    trustProxy: config.trustProxy,
    bodyLimit: config.limits.bodyBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    // Draining answers in the API's format (shared/http/drain.ts), not Fastify's own 503 body.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  installErrorHandler(server);
  installDrain(server);
  installInputGuard(server);
  server.decorateRequest('identity', null);
  server.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // The security headers, built once: @fastify/helmet rebuilt helmet's middleware (and re-parsed the CSP) on
  // every request, 4 % of a scan's server time in a profile.
  const securityHeaders = helmet({
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
  server.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, () => done()));
  await server.register(cookie);
  await server.register(rateLimit, { global: false, store: rateLimitStoreFor(store), errorResponseBuilder: rateLimitError });
  await server.register(websocket, { options: { maxPayload: config.limits.wsMaxMessageBytes } });
  // Route durations as a histogram only: the summary fastify-metrics adds by default repeats it and updates its
  // quantile estimates on every request (a scan's hottest per-request work after the signature checks).
  await server.register(metrics.default, {
    clearRegisterOnInit: true,
    endpoint: `${config.basePath}/metrics`,
    routeMetrics: { enabled: { histogram: true, summary: false }, registeredRoutesOnly: true },
  });
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
  await server.register(swaggerUi, { routePrefix: `${config.basePath}/docs` });

  // One clock for QR slots on every instance: PostgreSQL's, measured against this host's (shared/clock.ts).
  const clock = createSharedClock({
    reference: databaseTime(db),
    refreshMs: config.clock.refreshMs,
    report: (err, context) => server.log.warn({ err }, context),
  });
  await clock.refresh().catch((err: unknown) => server.log.warn({ err }, 'clock offset not measured: the host clock is used until it is'));
  clock.start();
  const now = given ? () => given.now() : clock.now;
  // Before any route's hooks (rate limits already wait for Valkey): arrival on the shared clock, and a deadline.
  installRequestDeadline(server, { deadlineMs: config.limits.requestDeadlineMs, now });
  server.addHook('onClose', async () => clock.stop());
  exposeClockOffset(server, clock);
  reportWriteRefusals(server, db);
  const valkeyLatency = probeValkeyLatency(server, rawStore, config.valkeyLatency.probeMs);
  const replicaSettings = 'url' in config.database ? config.database.replica : undefined;
  const staleReads = replica && replicaSettings ? replicaReads(server, { db, replica, settings: replicaSettings, now }) : undefined;
  const clockState = async () =>
    clockHealthy(clock, { maxOffsetMs: config.clock.maxOffsetMs, maxAgeMs: 3 * config.clock.refreshMs }) || ('degraded' as const);

  const limits = rateLimits(config.limits);
  const auth = createAuthModule({
    jwt: config.jwt,
    db,
    store,
    internalApiToken: config.internalApiToken,
    limits,
    report: (err: unknown, context: string) => server.log.warn({ err }, context),
    now: () => tokenClock.now(),
  });
  const directory = createDirectory({
    portalUrl: config.portal.internalUrl,
    credential: config.internalApiToken,
    staff: { staleMs: config.portal.staffStaleMs, maxPeople: config.portal.staffRemembered },
  });
  const report = (err: unknown, context: string) => server.log.warn({ err }, context);
  const liveCodes = createLiveCodeReader({ store, fallbackTtlMs: config.sessions.fallbackCodeTtlMs, now });
  // SimpleWebAuthn, with a cached-key fast path for the common ES256 assertion (differential-tested).
  const assertions = createCachedAssertionVerifier(config.webauthn, createAssertionVerifier(config.webauthn));
  const enrollment = createEnrollmentModule({ config, db, store, assertions, people: directory, guards: auth.guards, limits, report, phoneLookups: config.scan.batching });
  /** A course whose grades may have changed (attendance tells, after commit; the LTI module listens). */
  const gradeChanges = new EventEmitter<{ changed: [courseId: string] }>();
  const attendance = createAttendanceModule({
    db,
    // Reports, exports, standings and histories: the standby's, when there is one (docs/operations.md).
    staleReads: staleReads ?? db,
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
      listPageSize: config.sessions.listPageSize,
      seriesMaxOccurrences: config.sessions.seriesMaxOccurrences,
      importMaxRows: config.sessions.importMaxRows,
      importMaxBytes: config.sessions.importMaxBytes,
    },
    liveCountIntervalMs: config.sessions.liveCountIntervalMs,
    timeZone: config.timeZone,
    defaultMinimumPercent: config.attendance.minRatePercent,
    justificationLimits: config.justifications,
    standingRule: { warnMargin: config.attendance.warnMargin, earlyTermSessions: config.attendance.earlyTermSessions },
    spotCheckMaxStudents: config.attendance.spotCheckMaxStudents,
    calendarFeedMaxSessions: config.attendance.calendarFeedMaxSessions,
    publicUrl: config.publicUrl,
    basePath: config.basePath,
    deviceAlerts: enrollment.alerts,
    recentSessions: { maxAgeMs: config.scan.sessionCacheMs, maxEntries: config.scan.sessionCacheMax },
    confirmationBatching: config.scan.batching,
    // Grades change as classes close and attendance is corrected; the LTI module, made below, posts them.
    grades: { changed: (courseId) => void gradeChanges.emit('changed', courseId) },
    report,
  });
  const projection = createQrProjectionModule({
    store,
    // Projecting a class is its own course right (an assistant's too).
    sessions: { authorize: (actor, id) => attendance.sessions.authorize(actor, id, 'project'), ...attendance.reader },
    events: attendance.events,
    publicOrigin: config.publicUrl.origin,
    basePath: config.basePath,
    maxPerConnection: config.sessions.maxProjectionsPerConnection,
    fallbackTtlMs: config.sessions.fallbackCodeTtlMs,
    report,
    lossCheckMs: config.sessions.lossCheckMs,
    now,
  });
  const evidence = createEvidenceModule({
    db,
    webauthn: config.webauthn,
    guards: auth.guards,
    limits,
    // Receipts carry students' evidence: exporting them is the course's 'export_data' right.
    authorizeSession: (actor, id) => attendance.sessions.authorize(actor, id, 'export_data'),
    sealIntervalMs: config.receipts.sealIntervalMs,
    report,
  });
  const privacy = createPrivacyModule({
    db,
    evidence: {
      sealPending: () => evidence.sealer.sealPending(),
      receiptsOf: (studentId) => evidence.ofStudent(studentId),
      eraseReceipts: evidence.retention.eraseStudent,
      pruneReceipts: evidence.retention.pruneBefore,
    },
    guards: auth.guards,
    limits,
    retention: config.retention,
    timeZone: config.timeZone,
    log: (counts) => server.log.info({ retention: counts }, 'retention job ran'),
    report,
  });
  const notifications = createNotificationsModule({
    db,
    directory,
    standings: attendance.standings,
    config: config.mail,
    guards: auth.guards,
    limits,
    timeZone: config.timeZone,
    log: (message, details) => server.log.info(details ?? {}, message),
    report,
  });
  const scan = createScanModule({
    store,
    liveCodes,
    sessions: attendance.reader,
    credentials: enrollment.credentials,
    confirmations: attendance.confirmations,
    receipts: evidence.receipts,
    assertions,
    challengeTtlMs: config.scan.challengeTtlMs,
    requestsPerMinutePerAddress: config.scan.requestsPerMinutePerAddress,
    unknownPhoneRequestsPerMinutePerAddress: config.scan.unknownPhoneRequestsPerMinutePerAddress,
    requestsPerMinutePerPhone: config.scan.requestsPerMinutePerPhone,
    typedCodeFailuresPerMinute: config.scan.typedCodeFailuresPerMinute,
    typedCodeFailuresPerMinutePerAddress: config.scan.typedCodeFailuresPerMinutePerAddress,
    sharing: config.scan.sharing,
    campusNetworks: config.scan.campusNetworks,
    // Codes are judged at the moment the request arrived, whatever it waited for since.
    now: () => requestDeadline.arrivedAt() ?? now(),
  });
  // A course is the LTI business (launch, deep linking, its LMS roster and grades) of whoever may change its
  // settings: its teacher and co-teachers, not an assistant (directory/domain/course-rights.ts).
  const ltiAccess = createCourseAccess(directory);
  const lti = createLtiModule({
    db,
    people: {
      personBy: (lookup) => directory.personBy(lookup),
      roster: (courseId) => directory.roster(courseId),
      coursesTaughtBy: async (personId) =>
        (await ltiAccess.mine({ id: personId, role: 'teacher' })).filter((course) => course.rights.includes('change_settings')),
      coursesStaffedBy: (personId) => ltiAccess.mine({ id: personId, role: 'teacher' }),
    },
    grades: policyGrade(attendance.standings),
    guards: auth.guards,
    limits,
    jwt: config.jwt,
    publicUrl: config.publicUrl,
    basePath: config.basePath,
    settings: config.lti,
    report,
  });
  gradeChanges.on('changed', lti.gradesChanged);
  lti.installFraming(server);
  const pages = createPagesModule({
    webDir: config.webDir,
    tokenUrl: config.portal.tokenUrl,
    loginUrl: config.portal.loginUrl,
    logoutUrl: config.portal.logoutUrl,
    devSignIn: config.devSignIn,
    timeZone: config.timeZone,
    campusNetworks: config.scan.campusNetworks,
    deviceChangeNoticeDays: config.enrollment.changeNoticeDays,
    sessionLimits: {
      minPeriodMs: config.sessions.minPeriodMs,
      maxPeriodMs: config.sessions.maxPeriodMs,
      defaultPeriodMs: config.sessions.defaultPeriodMs,
      defaultLateAfterMinutes: config.sessions.defaultLateAfterMinutes,
      seriesMaxOccurrences: config.sessions.seriesMaxOccurrences,
    },
  });

  const realtime = createGateway({
    authenticator: auth.authenticator,
    handlers: [...projection.handlers],
    settings: {
      authTimeoutMs: config.limits.wsAuthTimeoutMs,
      maxPerUser: config.limits.wsMaxPerUser,
      maxPerAddress: config.limits.wsMaxPerAddress,
    },
    report: (err, context) => server.log.warn({ err }, context),
    now,
    tokenClock,
  });

  await server.register(
    async (scoped) => {
      const app = scoped.withTypeProvider<ZodTypeProvider>();
      await app.register(healthRoutes([
        { part: 'postgres', check: () => postgresState(db) },
        { part: 'valkey', check: () => valkeyState(valkeyLatency, config.valkeyLatency.maxMs) },
        { part: 'migrations', check: () => migrationsApplied(db, config.migrationsDir) },
        { part: 'clock', check: clockState },
        ...(staleReads ? [{ part: 'postgres_replica' as const, check: () => replicaState(staleReads) }] : []),
      ]));
      await app.register(auth.routes);
      await app.register(attendance.routes);
      await app.register(enrollment.routes);
      await app.register(scan.routes);
      await app.register(evidence.routes);
      await app.register(privacy.routes);
      await app.register(notifications.routes);
      await app.register(lti.routes);
      if (config.devSignIn) {
        const devPortal = createDevPortalModule({
          jwt: config.jwt,
          sessionMs: config.limits.devSessionMs,
          secureCookie: config.publicUrl.protocol === 'https:',
          basePath: config.basePath,
          limits,
        });
        await app.register(devPortal.routes);
      }
      await app.register(realtime.routes);
      await app.register(pages.routes);
    },
    { prefix: config.basePath },
  );
  // The service lives under its base path (BASE_PATH); someone typing the bare host gets there instead of a JSON 404.
  server.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect(`${config.basePath}/`));
  // Through Apache the portal serves /favicon.ico; run alone (npm start), the service points at its own.
  server.get('/favicon.ico', { schema: { hide: true } }, (_request, reply) => reply.redirect(`${config.basePath}/favicon.ico`));

  server.addHook('onReady', async () => {
    evidence.start();
    privacy.start();
    notifications.start();
    lti.start();
  });
  server.addHook('onClose', async () => {
    attendance.confirmations.close();
    privacy.stop();
    notifications.stop();
    await lti.stop();
    await evidence.stop();
  });
  return {
    server,
    gateway: realtime.gateway,
    projectorHub: projection.hub,
    mail: { enabled: notifications.enabled, runOnce: notifications.runOnce },
    ltiGrades: { runOnce: lti.grades.runOnce },
    grades: { gradeFor: (courseId, studentId) => attendance.standings.gradeFor(courseId, studentId) },
  };
}


/**
 * The LTI grade: the course's named grade policy (attendance/domain/grade-policy.ts), the same number the
 * course page, the exports and the student's page show, as a fraction; null while nothing counts yet.
 */
function policyGrade(standings: { gradeFor(courseId: string, studentId: string): Promise<LmsGrade> }): GradeSource {
  return {
    async gradeFor(courseId, studentId) {
      const grade = await standings.gradeFor(courseId, studentId);
      return grade.scoreGiven === null ? null : grade.scoreGiven / grade.scoreMaximum;
    },
  };
}

function rateLimitError(_request: unknown, context: { ttl: number }) {
  return commonErrors.RATE_LIMITED({ seconds: Math.max(1, Math.ceil(context.ttl / 1000)) });
}
