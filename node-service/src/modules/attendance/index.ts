import type { FastifyInstance } from 'fastify';
import type { SqlDatabase, SqlExecutor } from '../../shared/storage/sql.js';
import type { KeyValueStore } from '../../shared/storage/key-value.js';
import type { Grouping } from '../../shared/storage/grouped-calls.js';
import type { RateLimits } from '../../shared/http/rate-limits.js';
import type { AuthGuards } from '../auth/index.js';
import { createCourseAccess, type CourseDirectory } from '../directory/index.js';
import type { DeviceAlerts, GradeChanges, LiveCodeInvalidator } from './application/ports.js';
import { createSessionService, type SessionSettings } from './application/sessions.js';
import { createConfirmationService } from './application/confirmations.js';
import { createConfirmationRepository } from './infrastructure/confirmation-repository.js';
import { createSessionEvents } from './infrastructure/session-events.js';
import { createSessionRepository } from './infrastructure/session-repository.js';
import { createRecentSessions } from './infrastructure/recent-sessions.js';
import { sessionRoutes } from './presentation/session-routes.js';
import { seriesRoutes } from './presentation/series-routes.js';
import { createHolidayService } from './application/holidays.js';
import { createHolidayRepository } from './infrastructure/holiday-repository.js';
import { createReportService } from './application/reports.js';
import { createReportRepository, createResultReader } from './infrastructure/report-repository.js';
import { reportRoutes } from './presentation/report-routes.js';
import { createWalkInService } from './application/walk-ins.js';
import { createWalkInRepository } from './infrastructure/walk-in-repository.js';
import { createStandingService } from './application/standings.js';
import { createCourseMinimumRepository } from './infrastructure/standing-repository.js';
import { standingRoutes } from './presentation/standing-routes.js';
import { createSpotCheckService } from './application/spot-checks.js';
import { createSpotCheckRepository } from './infrastructure/spot-check-repository.js';
import { spotCheckRoutes } from './presentation/spot-check-routes.js';
import { createJustificationService } from './application/justifications.js';
import { createJustificationRepository } from './infrastructure/justification-repository.js';
import { justificationRoutes } from './presentation/justification-routes.js';
import { createCalendarService } from './application/calendar.js';
import { createCalendarRepository } from './infrastructure/calendar-repository.js';
import { calendarRoutes } from './presentation/calendar-routes.js';
import { randomBytes, randomInt } from 'node:crypto';

export type { Session } from './domain/session.js';
export type {
  SessionEvent,
  SessionEvents,
  LiveCount,
  LiveCodeInvalidator,
  ConfirmationResult,
  GradeChanges,
} from './application/ports.js';
export type { ConfirmationService } from './application/confirmations.js';
export { confirmationErrors } from './domain/errors.js';
export type { SessionSettings } from './application/sessions.js';
export type { LmsGrade } from './application/standings.js';

/** Class sessions, rounds, registrations and (later) validations and results: the attendance schema's owner. */
export function createAttendanceModule(deps: {
  db: SqlDatabase;
  /**
   * Where the reads that may be seconds stale go (a standby while it keeps up: shared/storage/replica-reads.ts;
   * the primary when none is set): a course's and a student's results for the course export, the course
   * page's standings and at-risk list, the printable student report and "my attendance". Nothing read there
   * is written back, and nothing in a scan, a live session or a correction reads there.
   */
  staleReads: Pick<SqlExecutor, 'query'>;
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
  /** ATTENDANCE_WARN_MARGIN and ATTENDANCE_EARLY_TERM_SESSIONS: when a standing is at risk. */
  standingRule: { warnMargin: number; earlyTermSessions: number };
  /** JUSTIFICATION_MAX_BYTES and JUSTIFICATION_WINDOW_DAYS (in ms). */
  justificationLimits: { maxBytes: number; windowMs: number; bodyLimitBytes: number };
  /** The most students one spot check may call (SPOT_CHECK_MAX_STUDENTS). */
  spotCheckMaxStudents: number;
  /** The most sessions one calendar feed lists (CALENDAR_FEED_MAX_SESSIONS). */
  calendarFeedMaxSessions: number;
  /** PUBLIC_URL: feed addresses and calendar event UIDs are built on it. */
  publicUrl: URL;
  /** BASE_PATH: where the service's routes hang under PUBLIC_URL (feed addresses). */
  basePath: string;
  /** Where a missed spot check flags the device that confirmed (the enrollment module). */
  deviceAlerts: DeviceAlerts;
  /** How old a session read may be when the scan asks for a recent one, and how many are kept (SCAN_SESSION_CACHE_*). */
  recentSessions: { maxAgeMs: number; maxEntries: number };
  /** How confirmations waiting for PostgreSQL are grouped (SCAN_BATCH_IN_FLIGHT, SCAN_BATCH_MAX). */
  confirmationBatching: Grouping;
  /** Told when a course's grades may have changed (the LTI module posts them). */
  grades: GradeChanges;
  report: (error: unknown, context: string) => void;
}) {
  const repository = createSessionRepository(deps.db);
  // The one gate to a course: every check below asks it (directory/domain/course-rights.ts).
  const access = createCourseAccess(deps.directory);
  const events = createSessionEvents(deps.store);
  const walkIns = createWalkInService({ walkIns: createWalkInRepository(deps.db), sessions: repository, directory: deps.directory, access, events, grades: deps.grades });
  const holidayRepository = createHolidayRepository(deps.db);
  const sessions = createSessionService({
    sessions: repository,
    directory: deps.directory,
    access,
    events,
    liveCodes: deps.liveCodes,
    settings: { ...deps.settings, timeZone: deps.timeZone },
    holidays: holidayRepository,
    walkIns,
    grades: deps.grades,
  });
  const seriesApi = seriesRoutes({ service: sessions, holidays: createHolidayService({ holidays: holidayRepository }), guards: deps.guards, limits: deps.limits, importMaxBytes: deps.settings.importMaxBytes });
  const confirmations = createConfirmationService({
    confirmations: createConfirmationRepository(deps.db, deps.confirmationBatching),
    sessions: repository,
    events,
    countIntervalMs: deps.liveCountIntervalMs,
    report: deps.report,
  });
  const reportRepository = createReportRepository(deps.db);
  const staleResults = createResultReader(deps.staleReads);
  const standingsOn = (results: Pick<typeof reportRepository, 'courseResults' | 'studentResults'>) =>
    createStandingService({
      minimums: createCourseMinimumRepository(deps.db),
      reports: results,
      freshReports: reportRepository,
      directory: deps.directory,
      access,
      walkIns,
      defaultMinimumPercent: deps.defaultMinimumPercent,
      rule: deps.standingRule,
      timeZone: deps.timeZone,
      grades: deps.grades,
    });
  // Other modules act on what they read (the warnings by e-mail record what they sent; the LMS grade is
  // posted): they read the primary. The pages, exports and reports may be seconds stale.
  const standings = standingsOn(reportRepository);
  const pageStandings = standingsOn(staleResults);
  const reports = createReportService({
    reports: reportRepository,
    results: staleResults,
    sessions: repository,
    directory: deps.directory,
    access,
    timeZone: deps.timeZone,
    walkIns,
    standings: pageStandings,
    grades: deps.grades,
  });
  const sessionApi = sessionRoutes({ service: sessions, access, guards: deps.guards, limits: deps.limits, list: deps.settings });
  const reportApi = reportRoutes({ reports, walkIns, guards: deps.guards, limits: deps.limits });
  const standingApi = standingRoutes({ standings: pageStandings, guards: deps.guards, limits: deps.limits });
  const justifications = createJustificationService({
    justifications: createJustificationRepository(deps.db),
    access,
    limits: deps.justificationLimits,
    now: () => new Date(),
    grades: deps.grades,
  });
  const justificationApi = justificationRoutes({ justifications, guards: deps.guards, limits: deps.limits, bodyLimit: deps.justificationLimits.bodyLimitBytes });
  const spotChecks = createSpotCheckService({
    spotChecks: createSpotCheckRepository(deps.db),
    sessions,
    devices: deps.deviceAlerts,
    randomBelow: (n) => randomInt(n),
    grades: deps.grades,
  });
  const calendar = createCalendarService({
    feeds: createCalendarRepository(deps.db),
    directory: deps.directory,
    access,
    newToken: () => randomBytes(32).toString('base64url'),
    maxSessions: deps.calendarFeedMaxSessions,
  });
  const calendarApi = calendarRoutes({ calendar, guards: deps.guards, limits: deps.limits, publicUrl: deps.publicUrl, basePath: deps.basePath });
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
      await app.register(seriesApi);
      await app.register(reportApi);
      await app.register(standingApi);
      await app.register(spotCheckApi);
      await app.register(justificationApi);
      await app.register(calendarApi);
    },
  };
}
