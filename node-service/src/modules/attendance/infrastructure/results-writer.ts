import type { SqlExecutor } from '../../../shared/storage/sql.js';
import { computeStatus, type LateRule, type Participation } from '../domain/results.js';

const PARTICIPATION = `
  SELECT g.student_id,
         count(v.id)::int AS rounds_confirmed,
         min(v.validated_at) AS first_confirmed_at
  FROM attendance.registrations g
  LEFT JOIN attendance.validations v ON v.session_id = g.session_id AND v.student_id = g.student_id
  WHERE g.session_id = $1 AND ($2::text IS NULL OR g.student_id = $2)
  GROUP BY g.student_id`;

// A teacher's correction stays the status shown; the computed one is always refreshed beside it.
const UPSERT_RESULTS = `
  INSERT INTO attendance.results (session_id, student_id, status, computed_status, rounds_confirmed, first_confirmed_at, is_final, updated_at)
  SELECT $1, r.student_id, r.status, r.status, r.rounds_confirmed, r.first_confirmed_at, $6, now()
  FROM unnest($2::text[], $3::text[], $4::int[], $5::timestamptz[]) AS r(student_id, status, rounds_confirmed, first_confirmed_at)
  ON CONFLICT (session_id, student_id) DO UPDATE SET
    computed_status = EXCLUDED.computed_status,
    status = CASE WHEN attendance.results.status IN ('excused', 'manual_present') THEN attendance.results.status ELSE EXCLUDED.status END,
    rounds_confirmed = EXCLUDED.rounds_confirmed,
    first_confirmed_at = EXCLUDED.first_confirmed_at,
    is_final = EXCLUDED.is_final,
    updated_at = now()`;

/**
 * Recomputes results from validations (one student, or all of a session) inside the caller's transaction,
 * with the rules of domain/results.ts.
 */
export async function refreshResults(
  tx: SqlExecutor,
  session: { id: string; roundsRun: number; final: boolean } & LateRule,
  studentId: string | null = null,
): Promise<void> {
  const { rows } = await tx.query<{ student_id: string; rounds_confirmed: number; first_confirmed_at: Date | null }>(
    PARTICIPATION,
    [session.id, studentId],
  );
  if (rows.length === 0) return;
  const statuses = rows.map((row) =>
    computeStatus({ roundsRun: session.roundsRun, roundsConfirmed: row.rounds_confirmed, firstConfirmedAt: row.first_confirmed_at }, session),
  );
  await tx.query(UPSERT_RESULTS, [
    session.id,
    rows.map((r) => r.student_id),
    statuses,
    rows.map((r) => r.rounds_confirmed),
    rows.map((r) => r.first_confirmed_at),
    session.final,
  ]);
}

/** One student's result from a participation the caller already knows (a confirmation just recorded). */
export async function writeResult(
  tx: SqlExecutor,
  input: { sessionId: string; studentId: string; participation: Participation; rule: LateRule },
): Promise<void> {
  const { participation } = input;
  await tx.query(UPSERT_RESULTS, [
    input.sessionId,
    [input.studentId],
    [computeStatus(participation, input.rule)],
    [participation.roundsConfirmed],
    [participation.firstConfirmedAt],
    false,
  ]);
}
