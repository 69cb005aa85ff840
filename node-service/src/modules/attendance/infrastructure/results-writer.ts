import type { SqlExecutor } from '../../../shared/storage/sql.js';

/**
 * How a freshly computed result lands on an existing one: a teacher's correction (excused, manually
 * present, manually absent) stays the status shown; the computed status is always refreshed beside it. The
 * confirmation applies the same rule in attendance.record_confirmations
 * (database/functions/attendance.record_confirmations.sql): change both together.
 */
const UPSERT_RESULT = `
  ON CONFLICT (session_id, student_id) DO UPDATE SET
    computed_status = EXCLUDED.computed_status,
    status = CASE WHEN attendance.results.status IN ('excused', 'manual_present', 'manual_absent') THEN attendance.results.status ELSE EXCLUDED.status END,
    rounds_confirmed = EXCLUDED.rounds_confirmed,
    first_confirmed_at = EXCLUDED.first_confirmed_at,
    is_final = EXCLUDED.is_final,
    updated_at = now()`;

/** When a first confirmation counts as late: the session's planned start plus its threshold. */
const LATE_FROM = `(s.planned_start + make_interval(mins => s.late_after_minutes))`;

// Every registered student's participation and the status it earns by the rule of attendance.computed_status
// (database/functions/attendance.computed_status.sql).
const REFRESH_RESULTS = `
  INSERT INTO attendance.results (session_id, student_id, status, computed_status, rounds_confirmed, first_confirmed_at, is_final, updated_at)
  SELECT p.session_id, p.student_id, p.status, p.status, p.rounds_confirmed, p.first_confirmed_at, $3, now()
  FROM (
    SELECT g.session_id, g.student_id, count(v.id)::int AS rounds_confirmed, min(v.validated_at) AS first_confirmed_at,
           attendance.computed_status($2, count(v.id)::int, min(v.validated_at), ${LATE_FROM}) AS status
    FROM attendance.sessions s
    JOIN attendance.registrations g ON g.session_id = s.id
    LEFT JOIN attendance.validations v ON v.session_id = g.session_id AND v.student_id = g.student_id
    WHERE s.id = $1
    GROUP BY g.session_id, g.student_id, s.planned_start, s.late_after_minutes
  ) p
  ${UPSERT_RESULT}`;

/** Recomputes every result of a session from its validations, inside the caller's transaction. */
export async function refreshResults(tx: SqlExecutor, session: { id: string; roundsRun: number; final: boolean }): Promise<void> {
  await tx.query(REFRESH_RESULTS, [session.id, session.roundsRun, session.final]);
}
