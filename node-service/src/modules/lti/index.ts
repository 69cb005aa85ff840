import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RateLimits } from '../../shared/http/rate-limits.js';
import type { SqlDatabase } from '../../shared/storage/sql.js';
import type { AuthGuards } from '../auth/index.js';
import { createDeepLinking } from './application/deep-linking.js';
import { createGradeChanges } from './application/grade-changes.js';
import { createGradeSync } from './application/grade-sync.js';
import { createLaunchService, teachingCheck } from './application/launch.js';
import type { GradeSource, People } from './application/ports.js';
import { createRegistrationService, type ToolUrls } from './application/registration.js';
import { createRosterService } from './application/roster.js';
import { createBrowserTokens, type PortalJwt } from './infrastructure/browser-tokens.js';
import { createCourseLinkRepository, createMemberRepository } from './infrastructure/course-repository.js';
import { createGradeRepository } from './infrastructure/grade-repository.js';
import { createIdTokenVerifier } from './infrastructure/id-token-verifier.js';
import { createPlatformRepository } from './infrastructure/platform-repository.js';
import { createPlatformServices } from './infrastructure/platform-services.js';
import { createRegistrationClient } from './infrastructure/registration-client.js';
import { createToolKeys } from './infrastructure/tool-keys.js';
import { ltiApiRoutes } from './presentation/api-routes.js';
import { installLtiFraming } from './presentation/framing.js';
import { ltiLaunchRoutes } from './presentation/launch-routes.js';

export type { GradeSource } from './application/ports.js';

export interface LtiSettings {
  stateTtlMs: number;
  tokenMaxAgeMs: number;
  sessionMs: number;
  personClaim: string;
  personField: 'email' | 'username';
  platformTimeoutMs: number;
  jwksCacheMs: number;
  rosterMaxMembers: number;
  gradeSyncIntervalMs: number;
  gradeAfterChangeMs: number;
  gradeRetry: { baseMs: number; maxMs: number };
  invitationTtlMs: number;
}

/**
 * LTI 1.3 (docs/lms.md): Asistencia as a tool in an LMS. Launches sign people in (by their portal account),
 * deep linking ties an LMS course to an Asistencia course, NRPS brings the LMS's roster and AGS takes the
 * attendance grade back. The grade itself comes from `grades`, a port app.ts wires.
 */
export function createLtiModule(deps: {
  db: SqlDatabase;
  people: People;
  grades: GradeSource;
  guards: AuthGuards;
  limits: RateLimits;
  jwt: PortalJwt & { clockToleranceMs: number };
  publicUrl: URL;
  basePath: string;
  settings: LtiSettings;
  report: (error: unknown, context: string) => void;
}) {
  const { settings } = deps;
  const base = new URL(`${deps.basePath}/lti/`, deps.publicUrl);
  const urls: ToolUrls = {
    login: new URL('login', base).toString(),
    launch: new URL('launch', base).toString(),
    jwks: new URL('jwks', base).toString(),
    register: new URL('register', base).toString(),
    domain: deps.publicUrl.host,
  };
  const random = () => randomBytes(18).toString('base64url');
  const platforms = createPlatformRepository(deps.db);
  const links = createCourseLinkRepository(deps.db);
  const members = createMemberRepository(deps.db);
  const keys = createToolKeys(deps.db);
  const services = createPlatformServices({ keys, timeoutMs: settings.platformTimeoutMs, now: Date.now });
  const tokens = createBrowserTokens({ ...deps.jwt, stateTtlMs: settings.stateTtlMs, sessionMs: settings.sessionMs });

  const assertTeaches = teachingCheck(deps.people);
  const roster = createRosterService({
    platforms,
    links,
    members,
    services,
    people: deps.people,
    personField: settings.personField,
    maxMembers: settings.rosterMaxMembers,
    assertTeaches,
  });
  const launches = createLaunchService({
    platforms,
    links,
    ledger: links,
    verifier: createIdTokenVerifier({ clockToleranceMs: deps.jwt.clockToleranceMs, maxAgeMs: settings.tokenMaxAgeMs, timeoutMs: settings.platformTimeoutMs, cacheMs: settings.jwksCacheMs }),
    people: deps.people,
    launchUrl: urls.launch,
    person: { claim: settings.personClaim, field: settings.personField },
    random,
    assertTeaches,
    // The roster is read on every launch into the course; a platform that fails does not stop the launch.
    afterLaunch: (platform, contextId) => roster.syncLink(platform, contextId).catch((error: unknown) => deps.report(error, 'LTI roster not synced after a launch')),
  });
  const gradeSync = createGradeSync({
    platforms,
    links,
    members,
    grades: createGradeRepository(deps.db),
    services,
    source: deps.grades,
    retry: settings.gradeRetry,
    assertTeaches,
    report: deps.report,
  });
  const gradeChanges = createGradeChanges({ sync: gradeSync.syncLinked, delayMs: settings.gradeAfterChangeMs, report: deps.report });
  const registration = createRegistrationService({
    platforms,
    client: createRegistrationClient({ timeoutMs: settings.platformTimeoutMs }),
    urls,
    invitationTtlMs: settings.invitationTtlMs,
    newToken: () => randomBytes(24).toString('base64url'),
    hash: (token) => createHash('sha256').update(token).digest('hex'),
    now: Date.now,
  });
  const deepLinking = createDeepLinking({ links, keys, launchUrl: urls.launch, assertTeaches, random });

  let timer: NodeJS.Timeout | undefined;
  return {
    /** One pass of the grade job now (tests, and the periodic job). */
    grades: gradeSync,
    /** A course's grades changed (app.ts wires the attendance module here): they are posted shortly. */
    gradesChanged: gradeChanges.changed,
    installFraming: (server: FastifyInstance) => installLtiFraming(server, tokens, deps.basePath),
    routes: async (app: FastifyInstance) => {
      await app.register(
        ltiLaunchRoutes({
          basePath: deps.basePath,
          launches,
          deepLinking,
          registration,
          platforms,
          keys,
          tokens,
          limits: deps.limits,
          landing: {
            teacher: (courseId) => `${deps.basePath}/teacher/?course=${encodeURIComponent(courseId)}&lti=1`,
            student: () => `${deps.basePath}/student/?lti=1`,
          },
        }),
      );
      await app.register(ltiApiRoutes({ registration, roster, grades: gradeSync, keys, urls, guards: deps.guards, limits: deps.limits }));
    },
    /** The periodic grade job (LTI_GRADE_SYNC_INTERVAL_SECONDS); each instance claims its own rows. */
    start() {
      timer = setInterval(() => {
        gradeSync.runOnce().catch((error: unknown) => deps.report(error, 'LTI grade job failed'));
      }, settings.gradeSyncIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await gradeChanges.stop();
    },
  };
}
