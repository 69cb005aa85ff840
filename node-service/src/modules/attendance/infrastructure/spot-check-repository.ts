import { ERASED_ID_PREFIX } from '../../../shared/ids.js';
import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { SpotCheck, SpotCheckCall, SpotCheckOutcome } from '../domain/spot-check.js';
import type { SpotCheckRepository, MarkResult } from '../application/ports.js';
import { applyCorrection } from './report-repository.js';

/**
 * Who may be drawn: students who confirmed (in the running round, or in any round when none runs), whose
 * result no correction has replaced, who were not erased, and who were not called before in this session.
 */
const CANDIDATES = `
  SELECT DISTINCT v.student_id, g.student_name
  FROM attendance.validations v
  JOIN attendance.registrations g USING (session_id, student_id)
  JOIN attendance.results r USING (session_id, student_id)
  WHERE v.session_id = $1 AND ($2::smallint IS NULL OR v.round = $2)
    AND r.status NOT IN ('excused', 'manual_present', 'manual_absent') AND NOT starts_with(v.student_id, $3)
    AND NOT EXISTS (SELECT 1 FROM attendance.spot_check_calls c WHERE c.session_id = $1 AND c.student_id = v.student_id)
  ORDER BY v.student_id`;
const INSERT_CHECK = `INSERT INTO attendance.spot_checks (session_id, round, drawn_by) VALUES ($1, $2, $3) RETURNING id`;
const INSERT_CALLS = `
  INSERT INTO attendance.spot_check_calls (spot_check_id, session_id, student_id)
  SELECT $1, $2, unnest($3::text[])`;
const CHECKS = `
  SELECT k.id::int AS id, k.round, k.drawn_by, k.drawn_at, c.student_id, g.student_name, c.outcome, c.reason, c.decided_at
  FROM attendance.spot_checks k
  JOIN attendance.spot_check_calls c ON c.spot_check_id = k.id
  JOIN attendance.registrations g ON g.session_id = c.session_id AND g.student_id = c.student_id
  WHERE k.session_id = $1
  ORDER BY k.id DESC, g.student_name`;
const LOCK_CALL = `
  SELECT c.outcome FROM attendance.spot_check_calls c JOIN attendance.spot_checks k ON k.id = c.spot_check_id
  WHERE c.spot_check_id = $1 AND k.session_id = $2 AND c.student_id = $3
  FOR UPDATE OF c`;
const MARK_CALL = `
  UPDATE attendance.spot_check_calls SET outcome = $4, reason = $5, decided_by = $6, decided_at = now()
  WHERE spot_check_id = $1 AND session_id = $2 AND student_id = $3`;
const DEVICES_USED = `SELECT DISTINCT device_id::int AS id FROM attendance.validations WHERE session_id = $1 AND student_id = $2 AND device_id IS NOT NULL ORDER BY 1`;

interface CheckRow {
  id: number;
  round: number | null;
  drawn_by: string;
  drawn_at: Date;
  student_id: string;
  student_name: string;
  outcome: SpotCheckOutcome;
  reason: string | null;
  decided_at: Date | null;
}

function grouped(rows: CheckRow[]): SpotCheck[] {
  const checks = new Map<number, SpotCheck>();
  for (const row of rows) {
    const check = checks.get(row.id) ?? { id: row.id, round: row.round, drawnBy: row.drawn_by, drawnAt: row.drawn_at, calls: [] };
    const call: SpotCheckCall = { studentId: row.student_id, studentName: row.student_name, outcome: row.outcome, reason: row.reason, decidedAt: row.decided_at };
    check.calls.push(call);
    checks.set(row.id, check);
  }
  return [...checks.values()];
}

export function createSpotCheckRepository(db: SqlDatabase): SpotCheckRepository {
  return {
    async candidates(sessionId, round) {
      const { rows } = await db.query<{ student_id: string; student_name: string }>(CANDIDATES, [sessionId, round, ERASED_ID_PREFIX]);
      return rows.map((r) => ({ studentId: r.student_id, studentName: r.student_name }));
    },

    async record(sessionId, round, actor, studentIds) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string }>(INSERT_CHECK, [sessionId, round, actor.id]);
        const id = Number(rows[0]!.id);
        await tx.query(INSERT_CALLS, [id, sessionId, studentIds]);
        return id;
      });
    },

    async list(sessionId): Promise<SpotCheck[]> {
      return grouped((await db.query<CheckRow>(CHECKS, [sessionId])).rows);
    },

    async mark(input) {
      return db.transaction(async (tx): Promise<MarkResult> => {
        const { rows } = await tx.query<{ outcome: SpotCheckOutcome }>(LOCK_CALL, [input.checkId, input.sessionId, input.studentId]);
        const previous = rows[0]?.outcome;
        if (!previous) return { kind: 'not_found' };
        if (input.needsReason(previous) && !input.reason) return { kind: 'reason_required' };
        const correction = input.outcome === 'no_answer' ? 'manual_absent' : previous === 'no_answer' ? 'computed' : null;
        if (correction && previous !== input.outcome) {
          const corrected = await applyCorrection(tx, { sessionId: input.sessionId, studentId: input.studentId, status: correction, reason: input.reason!, actor: input.actor });
          if (!corrected) return { kind: 'not_found' };
        }
        await tx.query(MARK_CALL, [input.checkId, input.sessionId, input.studentId, input.outcome, input.reason, input.actor.id]);
        const devices = (await tx.query<{ id: number }>(DEVICES_USED, [input.sessionId, input.studentId])).rows.map((r) => r.id);
        return { kind: 'marked', previous, devices };
      });
    },
  };
}
