import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { GradeRepository, GradeRow } from '../application/ports.js';

/** A grade equal to what the platform last accepted is 'sent'; any other is due now (a failed one keeps its wait). */
const RECORD = `
  INSERT INTO lti.grade_sync (platform_id, context_id, user_id, student_id, score, state)
  VALUES ($1, $2, $3, $4, $5, 'pending')
  ON CONFLICT (platform_id, context_id, user_id) DO UPDATE SET
    student_id = excluded.student_id,
    score = excluded.score,
    state = CASE
      WHEN lti.grade_sync.sent_score = excluded.score THEN 'sent'
      WHEN lti.grade_sync.state = 'failed' THEN 'failed'
      ELSE 'pending' END,
    attempts = CASE WHEN lti.grade_sync.sent_score = excluded.score THEN 0 ELSE lti.grade_sync.attempts END,
    next_attempt_at = CASE WHEN lti.grade_sync.state = 'sent' AND lti.grade_sync.sent_score IS DISTINCT FROM excluded.score
      THEN now() ELSE lti.grade_sync.next_attempt_at END,
    updated_at = CASE WHEN lti.grade_sync.score = excluded.score THEN lti.grade_sync.updated_at ELSE now() END
  WHERE lti.grade_sync.score IS DISTINCT FROM excluded.score OR lti.grade_sync.student_id IS DISTINCT FROM excluded.student_id`;
const COLUMNS = `g.platform_id::text AS platform_id, g.context_id, g.user_id, g.student_id, g.score::float8 AS score, g.state,
  g.attempts, g.last_error, g.updated_at, l.lineitem_url`;
/** Claimed by pushing their retry time past the lease, skipping rows another instance holds. */
const CLAIM_DUE = `
  WITH due AS (
    SELECT platform_id, context_id, user_id FROM lti.grade_sync
    WHERE state <> 'sent' AND next_attempt_at <= now()
    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
  UPDATE lti.grade_sync g SET next_attempt_at = now() + $2 * interval '1 millisecond'
  FROM due, lti.course_links l
  WHERE g.platform_id = due.platform_id AND g.context_id = due.context_id AND g.user_id = due.user_id
    AND l.platform_id = g.platform_id AND l.context_id = g.context_id
  RETURNING ${COLUMNS}`;
/** Sent: unless the grade changed meanwhile (then it stays due). */
const MARK_SENT = `
  UPDATE lti.grade_sync SET sent_score = $4, attempts = 0, last_error = NULL, updated_at = now(),
    state = CASE WHEN score = $4 THEN 'sent' ELSE 'pending' END, next_attempt_at = now()
  WHERE platform_id = $1 AND context_id = $2 AND user_id = $3`;
const MARK_FAILED = `
  UPDATE lti.grade_sync SET state = 'failed', attempts = attempts + 1, last_error = $4, updated_at = now(),
    next_attempt_at = now() + $5 * interval '1 millisecond'
  WHERE platform_id = $1 AND context_id = $2 AND user_id = $3`;
const OF_LINK = `
  SELECT ${COLUMNS} FROM lti.grade_sync g JOIN lti.course_links l USING (platform_id, context_id)
  WHERE g.platform_id = $1 AND g.context_id = $2 ORDER BY g.student_id`;

interface Row {
  platform_id: string;
  context_id: string;
  user_id: string;
  student_id: string;
  score: number;
  state: GradeRow['state'];
  attempts: number;
  last_error: string | null;
  updated_at: Date;
  lineitem_url: string | null;
}

const toGrade = (r: Row): GradeRow => ({
  platformId: r.platform_id,
  contextId: r.context_id,
  userId: r.user_id,
  studentId: r.student_id,
  score: Number(r.score),
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  updatedAt: r.updated_at,
  lineitemUrl: r.lineitem_url,
});

export function createGradeRepository(db: SqlDatabase): GradeRepository {
  return {
    async record({ platformId, contextId, userId, studentId, score }) {
      await db.query(RECORD, [platformId, contextId, userId, studentId, score]);
    },
    async claimDue(limit, leaseMs) {
      return (await db.query<Row>(CLAIM_DUE, [limit, leaseMs])).rows.map(toGrade);
    },
    async markSent(row) {
      await db.query(MARK_SENT, [row.platformId, row.contextId, row.userId, row.score]);
    },
    async markFailed(row, reason, retryInMs) {
      await db.query(MARK_FAILED, [row.platformId, row.contextId, row.userId, reason.slice(0, 500), retryInMs]);
    },
    async ofLink(platformId, contextId) {
      return (await db.query<Row>(OF_LINK, [platformId, contextId])).rows.map(toGrade);
    },
  };
}
