import type { FastifyInstance } from 'fastify';
import type { RateLimits } from '../../shared/http/rate-limits.js';
import type { SqlDatabase } from '../../shared/storage/sql.js';
import type { AuthGuards } from '../auth/index.js';
import type { CourseDirectory } from '../directory/index.js';
import { createMailJob, type CourseStandings, type MailRunCounts, type MailSettings } from './application/mail-job.js';
import { createMailLedger } from './infrastructure/mail-ledger.js';
import { createSmtpTransport } from './infrastructure/smtp-transport.js';
import { mailRoutes } from './presentation/routes.js';

export type { MailRunCounts } from './application/mail-job.js';

/** SMTP_* and MAIL_* (config/env.ts). */
export interface MailConfig {
  smtpUrl: string | undefined;
  smtpPassword: string | undefined;
  from: string;
  sendTimeoutMs: number;
  maxPerRun: number;
  checkIntervalMs: number;
  warningsEveryMs: number;
  courseActiveMs: number;
  digestDay: number;
  digestHour: number;
}

/**
 * Warnings by e-mail (docs/operations.md): a student's first at-risk warning per course and term, a weekly
 * digest per course to its teacher. Off when SMTP_URL is unset: nothing is scheduled, sent or recorded.
 */
export function createNotificationsModule(deps: {
  db: SqlDatabase;
  directory: Pick<CourseDirectory, 'roster' | 'contacts'>;
  standings: CourseStandings;
  config: MailConfig;
  guards: AuthGuards;
  limits: RateLimits;
  timeZone: string;
  now?: () => Date;
  log: (message: string, details?: object) => void;
  report: (error: unknown, context: string) => void;
}) {
  const { config } = deps;
  const settings: MailSettings = {
    maxPerRun: config.maxPerRun,
    warningsEveryMs: config.warningsEveryMs,
    courseActiveMs: config.courseActiveMs,
    digestDay: config.digestDay,
    digestHour: config.digestHour,
    timeZone: deps.timeZone,
  };
  const job = config.smtpUrl
    ? createMailJob({
        ledger: createMailLedger(deps.db),
        transport: createSmtpTransport({ url: config.smtpUrl, password: config.smtpPassword, from: config.from, timeoutMs: config.sendTimeoutMs }),
        standings: deps.standings,
        directory: deps.directory,
        settings,
        ...(deps.now ? { now: deps.now } : {}),
        report: deps.report,
      })
    : null;
  let timer: NodeJS.Timeout | null = null;

  /** One run now (an operator's or a test's); null when e-mail is off or another instance is running one. */
  async function runOnce(): Promise<MailRunCounts | null> {
    if (!job) return null;
    const counts = await job.runOnce();
    if (counts && (counts.warningsSent > 0 || counts.digestsSent > 0 || counts.failed > 0 || counts.withoutAddress > 0)) {
      deps.log('mail job ran', { mail: counts });
    }
    return counts;
  }

  return {
    enabled: job !== null,
    runOnce,
    /** Ticks every MAIL_CHECK_INTERVAL_MINUTES; the job itself decides what is due (and runs on one instance at a time). */
    start(): void {
      if (!job) {
        deps.log('e-mail is off: SMTP_URL is unset, so no warnings or digests are sent');
        return;
      }
      if (timer) return;
      const { hostname, port, protocol } = new URL(config.smtpUrl!);
      deps.log('e-mail is on', { smtp: `${protocol}//${hostname}${port ? `:${port}` : ''}`, from: config.from });
      timer = setInterval(() => void runOnce().catch((error: unknown) => deps.report(error, 'mail job failed; the next run tries again')), config.checkIntervalMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
    routes: async (app: FastifyInstance) => {
      await app.register(mailRoutes({ enabled: job !== null, runOnce, guards: deps.guards, limits: deps.limits }));
    },
  };
}
