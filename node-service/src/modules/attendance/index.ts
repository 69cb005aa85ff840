import type { FastifyInstance } from 'fastify';
import type { SqlDatabase } from '../../shared/storage/sql.js';
import type { KeyValueStore } from '../../shared/storage/key-value.js';
import type { Grouping } from '../../shared/storage/grouped-calls.js';
import type { RateLimits } from '../../shared/http/rate-limits.js';
import type { AuthGuards } from '../auth/index.js';
import type { CourseDirectory } from '../directory/index.js';
import type { DeviceAlerts, LiveCodeInvalidator } from './application/ports.js';
import { createSessionService, type SessionSettings } from './application/sessions.js';
import { createConfirmationService } from './application/confirmations.js';
import { createConfirmationRepository } from './infrastructure/confirmation-repository.js';
import { createSessionEvents } from './infrastructure/session-events.js';
import { createSessionRepository } from './infrastructure/session-repository.js';
import { createRecentSessions } from './infrastructure/recent-sessions.js';
import { sessionRoutes } from './presentation/session-routes.js';
import { createReportService } from './application/reports.js';
import { createReportRepository } from './infrastructure/report-repository.js';
import { reportRoutes } from './presentation/report-routes.js';
import { createWalkInService } from './application/walk-ins.js';
import { createWalkInRepository } from './infrastructure/walk-in-repository.js';
import { createStandingService } from './application/standings.js';
import { createCourseMinimumRepository } from './infrastructure/standing-repository.js';
import { standingRoutes } from './presentation/standing-routes.js';
import { createSpotCheckService } from './application/spot-checks.js';
import { createSpotCheckRepository } from './infrastructure/spot-check-repository.js';
import { spotCheckRoutes } from './presentation/spot-check-routes.js';
import { randomInt } from 'node:crypto';

export type { Session } from './domain/session.js';
export type {
  SessionEvent,
  SessionEvents,
  LiveCount,
  LiveCodeInvalidator,
  ConfirmationResult,
} from './application/ports.js';
export type { ConfirmationService } from './application/confirmations.js';
export { confirmationErrors } from './domain/errors.js';
export type { SessionSettings } from './application/sessions.js';

/** Class sessions, rounds, registrations and (later) validations and results: the attendance schema's owner. */
export function createAttendanceModule(deps: {
  db: SqlDatabase;
  store: KeyValueStore;
  directory: CourseDirectory;
  guards: AuthGuards;
  limits: RateLimits;
  liveCodes: LiveCodeInvalidator;
  settings: Omit<SessionSettings, 'timeZone'>;
  liveCountIntervalMs: number;
  /** The institution's IANA time zone (TIME_ZONE). */
  timeZone: string;
  /** A course's minimum attendance in percent unless its teacher sets another (ATTENDANCE_MIN_RATE). */
  defaultMinimumPercent: number;
  /** The most students one spot check may call (SPOT_CHECK_MAX_STUDENTS). */
  spotCheckMaxStudents: number;
  /** Where a missed spot check flags the device that confirmed (the enrollment module). */
  deviceAlerts: DeviceAlerts;
  /** How old a session read may be when the scan asks for a recent one, and how many are kept (SCAN_SESSION_CACHE_*). */
  recentSessions: { maxAgeMs: number; maxEntries: number };
  /** How confirmations waiting for PostgreSQL are grouped (SCAN_BATCH_IN_FLIGHT, SCAN_BATCH_MAX). */
  confirmationBatching: Grouping;
  report: (error: unknown, context: string) => void;
}) {
  const repository = createSessionRepository(deps.db);
  const events = createSessionEvents(deps.store);
  const walkIns = createWalkInService({ walkIns: createWalkInRepository(deps.db), sessions: repository, directory: deps.directory, events });
  const sessions = createSessionService({ sessions: repository, directory: deps.directory, events, liveCodes: deps.liveCodes, settings: { ...deps.settings, timeZone: deps.timeZone }, walkIns });
  const confirmations = createConfirmationService({
    confirmations: createConfirmationRepository(deps.db, deps.confirmationBatching),
    sessions: repository,
    events,
    countIntervalMs: deps.liveCountIntervalMs,
    report: deps.report,
  });
  const reportRepository = createReportRepository(deps.db);
  const standings = createStandingService({
    minimums: createCourseMinimumRepository(deps.db),
    reports: reportRepository,
    directory: deps.directory,
    walkIns,
    defaultMinimumPercent: deps.defaultMinimumPercent,
    timeZone: deps.timeZone,
  });
  const reports = createReportService({ reports: reportRepository, sessions: repository, directory: deps.directory, timeZone: deps.timeZone, walkIns, standings });
  const sessionApi = sessionRoutes({ service: sessions, directory: deps.directory, guards: deps.guards, limits: deps.limits, list: deps.settings });
  const reportApi = reportRoutes({ reports, walkIns, guards: deps.guards, limits: deps.limits });
  const standingApi = standingRoutes({ standings, guards: deps.guards, limits: deps.limits });
  const spotChecks = createSpotCheckService({
    spotChecks: createSpotCheckRepository(deps.db),
    sessions,
    devices: deps.deviceAlerts,
    randomBelow: (n) => randomInt(n),
  });
  const spotCheckApi = spotCheckRoutes({ spotChecks, guards: deps.guards, limits: deps.limits, maxStudents: deps.spotCheckMaxStudents });
  /** What other modules may read of sessions: one session (fresh, or as read a moment ago), and its live count. */
  const reader = {
    find: (id: string) => repository.find(id),
    recent: createRecentSessions((id) => repository.find(id), deps.recentSessions),
    liveCount: (id: string) => repository.liveCount(id),
  };
  return {
    sessions,
    reports,
    /** Where students stand against their courses' minimums (the warnings by e-mail read it). */
    standings,
    confirmations,
    events,
    reader,
    routes: async (app: FastifyInstance) => {
      await app.register(sessionApi);
      await app.register(reportApi);
      await app.register(standingApi);
      await app.register(spotCheckApi);
    },
  };
}
