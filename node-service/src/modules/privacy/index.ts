import type { FastifyInstance } from 'fastify';
import type { RateLimits } from '../../shared/http/rate-limits.js';
import type { SqlDatabase, SqlExecutor } from '../../shared/storage/sql.js';
import type { AuthGuards } from '../auth/index.js';
import type { Receipt } from '../evidence/index.js';
import { createRetentionJob } from './application/retention.js';
import type { RetentionCounts } from './application/ports.js';
import { createStudentDataService } from './application/student-data.js';
import { createRetentionRepository } from './infrastructure/retention-repository.js';
import { createStudentDataRepository } from './infrastructure/student-data-repository.js';
import { privacyRoutes } from './presentation/routes.js';

export type { RetentionCounts } from './application/ports.js';

const HOUR_MS = 60 * 60 * 1000;

/** What each part of the evidence module the privacy module needs. */
export interface PrivacyEvidence {
  sealPending(): Promise<unknown>;
  receiptsOf(studentId: string): Promise<Receipt[]>;
  eraseReceipts(tx: SqlExecutor, studentId: string): Promise<number>;
  pruneReceipts(tx: SqlExecutor, cutoff: Date): Promise<number>;
}

/** The daily retention job on its own (tests drive it with their clock). */
export function createRetention(deps: {
  db: SqlDatabase;
  evidence: Pick<PrivacyEvidence, 'pruneReceipts'>;
  settings: { clientAddressMs: number; receiptsMs: number };
  now?: () => Date;
  log: (counts: RetentionCounts) => void;
}) {
  return createRetentionJob({
    retention: createRetentionRepository({ db: deps.db, pruneReceipts: deps.evidence.pruneReceipts }),
    settings: deps.settings,
    ...(deps.now ? { now: deps.now } : {}),
    log: deps.log,
  });
}

/** The students' rights over their data: access, portability, erasure, and retention (docs/privacy.md). */
export function createPrivacyModule(deps: {
  db: SqlDatabase;
  evidence: PrivacyEvidence;
  guards: AuthGuards;
  limits: RateLimits;
  retention: { clientAddressMs: number; receiptsMs: number };
  /** The institution's zone (TIME_ZONE): the CSV form tells instants in it. */
  timeZone: string;
  log: (counts: RetentionCounts) => void;
  report: (error: unknown, context: string) => void;
}) {
  const data = createStudentDataRepository({ db: deps.db, receiptsOf: deps.evidence.receiptsOf, eraseReceipts: deps.evidence.eraseReceipts });
  const service = createStudentDataService({ data, sealPending: deps.evidence.sealPending });
  const retention = createRetention({ db: deps.db, evidence: deps.evidence, settings: deps.retention, log: deps.log });
  let timer: NodeJS.Timeout | null = null;
  return {
    service,
    retention,
    /** Ticks hourly; the job itself runs at most once a day across instances. */
    start(): void {
      if (timer) return;
      timer = setInterval(() => void retention.runOnce().catch((error: unknown) => deps.report(error, 'retention job failed')), HOUR_MS);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
    routes: async (app: FastifyInstance) => {
      await app.register(privacyRoutes({ service, guards: deps.guards, limits: deps.limits, timeZone: deps.timeZone }));
    },
  };
}
