import type { SqlDatabase, SqlExecutor } from '../../../shared/storage/sql.js';
import type { ResultStatus } from '../domain/results.js';
import type { ReportRepository, ResultReader, SessionResultRow } from '../application/ports.js';

const RESULT_COLUMNS = `
  r.student_id, g.student_name, r.status, r.computed_status, r.rounds_confirmed::int AS rounds_confirmed,
  r.first_confirmed_at, g.source = 'walk_in' AS walk_in, r.override_reason,
  ARRAY(SELECT DISTINCT a FROM attendance.validations v, unnest(v.alerts) a
        WHERE v.session_id = r.session_id AND v.student_id = r.student_id ORDER BY a) AS alerts,
  (SELECT c.outcome FROM attendance.spot_check_calls c WHERE c.session_id = r.session_id AND c.student_id = r.student_id
   ORDER BY c.spot_check_id DESC LIMIT 1) AS spot_check`;
const SESSION_RESULTS = `
  SELECT ${RESULT_COLUMNS}
  FROM attendance.results r
  JOIN attendance.registrations g USING (session_id, student_id)
  WHERE r.session_id = $1
  ORDER BY g.student_name, r.student_id`;
const LOCK_RESULT = `SELECT status FROM attendance.results WHERE session_id = $1 AND student_id = $2 FOR UPDATE`;
const APPLY_CORRECTION = `
  UPDATE attendance.results SET
    status = CASE WHEN $3 = 'computed' THEN computed_status ELSE $3 END,
    override_reason = CASE WHEN $3 = 'computed' THEN NULL ELSE $4 END,
    overridden_by = CASE WHEN $3 = 'computed' THEN NULL ELSE $5 END,
    overridden_at = CASE WHEN $3 = 'computed' THEN NULL ELSE now() END,
    updated_at = now()
  WHERE session_id = $1 AND student_id = $2
  RETURNING status`;
const AUDIT_CORRECTION = `
  INSERT INTO attendance.corrections (session_id, student_id, previous_status, new_status, reason, actor_id, actor_role)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;
const RESULT_OF = `SELECT ${RESULT_COLUMNS} FROM attendance.results r JOIN attendance.registrations g USING (session_id, student_id) WHERE r.session_id = $1 AND r.student_id = $2`;
const COURSE_SESSIONS = `SELECT id, planned_start, room FROM attendance.sessions WHERE course_id = $1 AND state <> 'scheduled' ORDER BY planned_start`;
const COURSE_RESULTS = `
  SELECT r.session_id, r.student_id, g.student_name, r.status, r.is_final
  FROM attendance.results r
  JOIN attendance.registrations g USING (session_id, student_id)
  JOIN attendance.sessions s ON s.id = r.session_id
  WHERE s.course_id = $1 AND s.state <> 'scheduled'`;
const STUDENT_RESULTS = `
  SELECT r.session_id, s.course_id, s.planned_start, s.room, r.status, r.rounds_confirmed::int AS rounds_confirmed,
         (SELECT coalesce(max(n.number), 0)::int FROM attendance.rounds n WHERE n.session_id = s.id) AS rounds_run,
         r.is_final,
         (SELECT c.outcome FROM attendance.spot_check_calls c WHERE c.session_id = r.session_id AND c.student_id = r.student_id
          ORDER BY c.spot_check_id DESC LIMIT 1) AS spot_check
  FROM attendance.results r
  JOIN attendance.sessions s ON s.id = r.session_id
  WHERE r.student_id = $1 AND s.state <> 'scheduled'
  ORDER BY s.planned_start DESC`;

interface ResultRow {
  student_id: string;
  student_name: string;
  status: ResultStatus;
  computed_status: ResultStatus;
  rounds_confirmed: number;
  first_confirmed_at: Date | null;
  walk_in: boolean;
  override_reason: string | null;
  alerts: string[];
  spot_check: SessionResultRow['spotCheck'];
}

const toRow = (r: ResultRow): SessionResultRow => ({
  alerts: r.alerts,
  studentId: r.student_id,
  studentName: r.student_name,
  status: r.status,
  computedStatus: r.computed_status,
  roundsConfirmed: r.rounds_confirmed,
  firstConfirmedAt: r.first_confirmed_at,
  walkIn: r.walk_in,
  overrideReason: r.override_reason,
  spotCheck: r.spot_check,
});

type CorrectionInput = Parameters<ReportRepository['correct']>[0];

/** One correction and its audit row, inside the caller's transaction; null when the student has no result. */
export async function applyCorrection(tx: SqlExecutor, { sessionId, studentId, status, reason, actor }: CorrectionInput): Promise<SessionResultRow | null> {
  const before = await tx.query<{ status: string }>(LOCK_RESULT, [sessionId, studentId]);
  if (!before.rows[0]) return null;
  const after = await tx.query<{ status: string }>(APPLY_CORRECTION, [sessionId, studentId, status, reason, actor.id]);
  await tx.query(AUDIT_CORRECTION, [sessionId, studentId, before.rows[0].status, after.rows[0]!.status, reason, actor.id, actor.role]);
  const { rows } = await tx.query<ResultRow>(RESULT_OF, [sessionId, studentId]);
  return toRow(rows[0]!);
}

/** Rolls a bulk correction back when one of its students has no result in the session. */
class MissingResult extends Error {}

/**
 * The results as they stand, read only: on whatever `db` is, the primary or the reads that may be seconds
 * stale (shared/storage/replica-reads.ts); which reads may be stale is the caller's choice (attendance/index.ts).
 */
export function createResultReader(db: Pick<SqlExecutor, 'query'>): ResultReader {
  return {
    async sessionResults(sessionId) {
      return (await db.query<ResultRow>(SESSION_RESULTS, [sessionId])).rows.map(toRow);
    },
    async courseResults(courseId) {
      const sessions = await db.query<{ id: string; planned_start: Date; room: string }>(COURSE_SESSIONS, [courseId]);
      const results = await db.query<{ session_id: string; student_id: string; student_name: string; status: ResultStatus; is_final: boolean }>(
        COURSE_RESULTS,
        [courseId],
      );
      return {
        sessions: sessions.rows.map((s) => ({ id: s.id, plannedStart: s.planned_start, room: s.room })),
        results: results.rows.map((r) => ({
          sessionId: r.session_id,
          studentId: r.student_id,
          studentName: r.student_name,
          status: r.status,
          final: r.is_final,
        })),
      };
    },
    async studentResults(studentId) {
      const { rows } = await db.query<{
        session_id: string;
        course_id: string;
        planned_start: Date;
        room: string;
        status: ResultStatus;
        rounds_confirmed: number;
        rounds_run: number;
        is_final: boolean;
        spot_check: 'called' | 'answered' | 'no_answer' | null;
      }>(STUDENT_RESULTS, [studentId]);
      return rows.map((r) => ({
        sessionId: r.session_id,
        courseId: r.course_id,
        plannedStart: r.planned_start,
        room: r.room,
        status: r.status,
        roundsConfirmed: r.rounds_confirmed,
        roundsRun: r.rounds_run,
        final: r.is_final,
        spotCheck: r.spot_check,
      }));
    },
  };
}

export function createReportRepository(db: SqlDatabase): ReportRepository {
  return {
    correct(input) {
      return db.transaction((tx) => applyCorrection(tx, input));
    },
    async correctMany({ studentIds, ...input }) {
      try {
        return await db.transaction(async (tx) => {
          const rows: SessionResultRow[] = [];
          // In a fixed order, so two bulk corrections of the same students never deadlock.
          for (const studentId of [...studentIds].sort()) {
            const row = await applyCorrection(tx, { ...input, studentId });
            if (!row) throw new MissingResult();
            rows.push(row);
          }
          return rows;
        });
      } catch (error) {
        if (error instanceof MissingResult) return null;
        throw error;
      }
    },
    ...createResultReader(db),
  };
}
