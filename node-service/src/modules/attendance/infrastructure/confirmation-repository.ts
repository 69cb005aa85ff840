import { groupedCalls, type Grouping } from '../../../shared/storage/grouped-calls.js';
import type { SqlDatabase } from '../../../shared/storage/sql.js';
import { attendanceErrors, confirmationErrors } from '../domain/errors.js';
import type { ConfirmationRepository, ConfirmationRequest } from '../application/ports.js';

/**
 * A confirmation is one call, one round trip and one commit: `attendance.record_confirmations`
 * (database/functions/attendance.record_confirmations.sql) takes the shared advisory lock of each session it
 * records for (shared/storage/locks.ts, `locks.session`), then records. A round change or close
 * takes the same lock alone (session-repository.ts), so it waits for confirmations in flight and they wait
 * for it; each query in the function takes its snapshot after the lock is held, so a confirmation that
 * waited reads the session afresh. Unlike FOR SHARE on the session row, the lock creates no MultiXacts. The
 * function moves the device's sign counter forward (only forward, the rule of scan/domain/sign-counter.ts,
 * checked on the row as it is now so that two copies of a passkey signing at once cannot both pass, and only
 * while the device is active and bound to the phone key that signed), registers a walk-in when the session
 * accepts them, inserts the validation once per (session, round, student) with the device's alerts, writes
 * the student's result by attendance.computed_status, and keeps the scan's receipt with a new validation. The
 * answer says which checks held, for the caller to name the refusal.
 *
 * The counter belongs to the enrollment schema and the receipt to the evidence schema; both are written
 * here so that a scan costs one commit.
 */
const RECORD_CONFIRMATIONS = 'SELECT * FROM attendance.record_confirmations($1)';

// The latest refusal per student and session, counted; a session deleted meanwhile notes nothing.
const NOTE_ATTEMPT = `
  INSERT INTO attendance.scan_attempts (session_id, student_id, last_code)
  SELECT id, $2, $3 FROM attendance.sessions WHERE id = $1
  ON CONFLICT (session_id, student_id) DO UPDATE SET last_code = EXCLUDED.last_code, last_at = now(), attempts = attendance.scan_attempts.attempts + 1`;
const ADD_ALERT = `UPDATE attendance.validations SET alerts = array_append(alerts, $4)
  WHERE session_id = $1 AND round = $2 AND student_id = $3 AND NOT ($4 = ANY (alerts))`;

interface RecordedRow {
  /** Null when the session does not exist (the batch's row for it). */
  state: 'scheduled' | 'open' | 'closed' | null;
  roster_policy: 'refuse' | 'flag';
  course_name: string;
  room: string;
  current_round: number | null;
  registration: 'roster' | 'walk_in' | null;
  counted: boolean;
  inserted: boolean;
}

/**
 * Group commit (shared/storage/grouped-calls.ts): while fewer than SCAN_BATCH_IN_FLIGHT calls run, a
 * confirmation goes at once, a batch of one; when they are all busy, the confirmations arriving meanwhile
 * go together in one call, one statement and one commit for the batch, at most one per student (an upsert
 * cannot touch a student's result twice in one statement), each caller hearing its own answer.
 */
export function createConfirmationRepository(db: SqlDatabase, grouping: Grouping): ConfirmationRepository {
  /** Each request's row, in order; null where the session does not exist. */
  const recordAll = async (requests: readonly ConfirmationRequest[]): Promise<(RecordedRow | null)[]> => {
    const items = requests.map((request, ord) => ({
      ord,
      session: request.sessionId,
      round: request.round,
      student: request.studentId,
      device: request.deviceId,
      slot: request.slot,
      address: request.clientAddress,
      alerts: request.alerts,
      signCount: request.deviceUse.signCount,
      backedUp: request.deviceUse.backedUp ?? null,
      phoneKey: request.deviceUse.phoneKeyId,
      receipt: request.receipt ?? null,
    }));
    const { rows } = await db.query<RecordedRow & { ord: number }>(RECORD_CONFIRMATIONS, [JSON.stringify(items)]);
    const byOrd = new Map(rows.map((row) => [row.ord, row]));
    return requests.map((_, ord) => {
      const row = byOrd.get(ord);
      return row && row.state !== null ? row : null;
    });
  };
  const calls = groupedCalls<ConfirmationRequest, RecordedRow | null>({
    ...grouping,
    distinct: (request) => request.studentId,
    one: async (request) => (await recordAll([request]))[0]!,
    many: recordAll,
  });

  return {
    async record(request) {
      const session = await calls.load(request);
      if (!session) throw attendanceErrors.SESSION_NOT_FOUND();
      // The device changed since the scan looked it up (revoked, flagged, re-bound, or another copy counted first).
      if (!session.counted) return { outcome: 'use_not_recorded' };
      if (session.state === 'closed') throw confirmationErrors.SCAN_SESSION_CLOSED();
      if (session.state !== 'open' || session.current_round !== request.round) throw confirmationErrors.SCAN_ROUND_NOT_OPEN();
      if (session.registration === null && session.roster_policy === 'refuse') throw confirmationErrors.SCAN_NOT_ON_ROSTER();
      return {
        outcome: session.inserted ? 'confirmed' : 'already_confirmed',
        walkIn: session.registration !== 'roster',
        session: { id: request.sessionId, courseName: session.course_name, room: session.room },
        round: request.round,
      };
    },
    async addAlert(key, alert) {
      await db.query(ADD_ALERT, [key.sessionId, key.round, key.studentId, alert]);
    },
    async noteAttempt(key, code) {
      await db.query(NOTE_ATTEMPT, [key.sessionId, key.studentId, code]);
    },
  };
}
