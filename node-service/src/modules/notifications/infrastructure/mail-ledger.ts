import { locks, tryLock } from '../../../shared/storage/locks.js';
import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { MailLedger } from '../application/ports.js';

// The mail job reads which courses held classes straight from the attendance schema, as the privacy
// module's retention does: one query, no write.
const COURSES_WITH_CLASSES = `
SELECT DISTINCT course_id FROM attendance.sessions WHERE state <> 'scheduled' AND planned_start >= $1 ORDER BY course_id`;
const WAS_SENT = `
SELECT EXISTS (SELECT 1 FROM notifications.sent_mail WHERE kind = $1 AND recipient_id = $2 AND course_id = $3 AND period = $4) AS sent`;
const RECORD_SENT = `
INSERT INTO notifications.sent_mail (kind, recipient_id, course_id, period, sent_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING`;
const LAST_RUN = `SELECT finished_at FROM notifications.job_runs WHERE job = $1 AND period = $2`;
const RECORD_RUN = `
INSERT INTO notifications.job_runs (job, period, finished_at, counts) VALUES ($1, $2, $3, $4)
ON CONFLICT (job, period) DO UPDATE SET finished_at = EXCLUDED.finished_at, counts = EXCLUDED.counts`;

/**
 * notifications.sent_mail and job_runs. The advisory lock is held by a transaction that only waits; what
 * the run writes goes through the pool and commits at once, so a message the SMTP server accepted stays
 * remembered even when the run fails afterwards.
 */
export function createMailLedger(db: SqlDatabase): MailLedger {
  return {
    exclusive: (work) => db.transaction(async (tx) => ((await tryLock(tx, locks.mail)) ? work() : null)),
    coursesWithClasses: async (since) => (await db.query<{ course_id: string }>(COURSES_WITH_CLASSES, [since])).rows.map((r) => r.course_id),
    wasSent: async (key) => (await db.query<{ sent: boolean }>(WAS_SENT, [key.kind, key.recipientId, key.courseId, key.period])).rows[0]!.sent,
    recordSent: async (key, at) => {
      await db.query(RECORD_SENT, [key.kind, key.recipientId, key.courseId, key.period, at]);
    },
    lastRun: async (job, period) => (await db.query<{ finished_at: Date }>(LAST_RUN, [job, period])).rows[0]?.finished_at ?? null,
    recordRun: async (job, period, at, counts) => {
      await db.query(RECORD_RUN, [job, period, at, JSON.stringify(counts)]);
    },
  };
}
