import type { SqlDatabase } from '../../../shared/storage/sql.js';
import { attendanceErrors, confirmationErrors } from '../domain/errors.js';
import type { ConfirmationRepository } from '../application/ports.js';
import { LATE_FROM, UPSERT_RESULT } from './results-writer.js';
import { sessionLockKey } from './session-repository.js';

/**
 * A confirmation is one transaction with one commit: BEGIN together with a shared advisory lock on the
 * session (one round trip), this statement, COMMIT. A round change or close takes the same lock alone
 * (session-repository.ts), so it waits for confirmations in flight and they wait for it; a confirmation
 * that waited reads the session afresh, since this statement's snapshot is taken after the lock is held.
 * Unlike FOR SHARE on the session row, the lock creates no MultiXacts. The statement moves the device's
 * sign counter forward (only forward, the rule of scan/domain/sign-counter.ts, checked on the row as it
 * is now so that two copies of a passkey signing at once cannot both pass), registers a walk-in when the
 * session accepts them, inserts the validation once per (session, round, student) with the device's
 * alerts, and writes the student's result by the rule in migration 003. The answer says which checks
 * held, for the caller to name the refusal. $1 session, $2 round, $3 student, $4 device, $5 slot,
 * $6 client address, $7 alerts, $8 sign count, $9 backed up.
 *
 * The counter belongs to the enrollment schema; it is moved here so that a scan costs one commit.
 */
const RECORD_CONFIRMATION = `
  WITH session AS (
    SELECT s.state, s.roster_policy, s.course_name, s.room, s.current_round, ${LATE_FROM} AS late_from,
           (SELECT g.source FROM attendance.registrations g WHERE g.session_id = s.id AND g.student_id = $3) AS registration
    FROM attendance.sessions s WHERE s.id = $1
  ),
  counted AS (
    UPDATE enrollment.devices SET sign_count = $8, last_used_at = now(), backed_up = COALESCE($9, backed_up)
    WHERE id = $4 AND state = 'active' AND ($8 > sign_count OR ($8 = 0 AND sign_count = 0))
    RETURNING id
  ),
  admitted AS (
    SELECT * FROM session
    WHERE state = 'open' AND current_round = $2 AND (registration IS NOT NULL OR roster_policy = 'flag')
      AND EXISTS (SELECT 1 FROM counted)
  ),
  walk_in AS (
    INSERT INTO attendance.registrations (session_id, student_id, student_name, source, flagged)
    SELECT $1, $3, $3, 'walk_in', true FROM admitted WHERE registration IS NULL
    ON CONFLICT (session_id, student_id) DO NOTHING
  ),
  inserted AS (
    INSERT INTO attendance.validations (session_id, round, student_id, device_id, slot, client_address, alerts)
    SELECT $1, $2, $3, $4, $5, $6::inet, $7::text[] FROM admitted
    ON CONFLICT (session_id, round, student_id) DO NOTHING
    RETURNING validated_at
  ),
  -- The statement does not see its own insert: the student's earlier rounds, plus this one.
  participation AS (
    SELECT count(v.id)::int + 1 AS rounds_confirmed, least(min(v.validated_at), i.validated_at) AS first_confirmed_at
    FROM inserted i LEFT JOIN attendance.validations v ON v.session_id = $1 AND v.student_id = $3
    GROUP BY i.validated_at
  ),
  result AS (
    INSERT INTO attendance.results (session_id, student_id, status, computed_status, rounds_confirmed, first_confirmed_at, is_final, updated_at)
    SELECT $1, $3, c.status, c.status, p.rounds_confirmed, p.first_confirmed_at, false, now()
    FROM participation p, admitted a,
         LATERAL (SELECT attendance.computed_status(a.current_round, p.rounds_confirmed, p.first_confirmed_at, a.late_from) AS status) c
    ${UPSERT_RESULT}
  )
  SELECT state, roster_policy, course_name, room, current_round, registration,
         EXISTS (SELECT 1 FROM counted) AS counted, EXISTS (SELECT 1 FROM inserted) AS inserted
  FROM session`;

interface RecordedRow {
  state: 'scheduled' | 'open' | 'closed';
  roster_policy: 'refuse' | 'flag';
  course_name: string;
  room: string;
  current_round: number | null;
  registration: 'roster' | 'walk_in' | null;
  counted: boolean;
  inserted: boolean;
}

export function createConfirmationRepository(db: SqlDatabase): ConfirmationRepository {
  return {
    async record(request) {
      const params = [
        request.sessionId, request.round, request.studentId, request.deviceId, request.slot, request.clientAddress, request.alerts,
        request.deviceUse.signCount, request.deviceUse.backedUp ?? null,
      ];
      const { rows } = await db.transaction(async (tx) => {
        const recorded = await tx.query<RecordedRow>(RECORD_CONFIRMATION, params);
        if (recorded.rows[0]?.inserted && request.alsoWhenConfirmed) await request.alsoWhenConfirmed(tx);
        return recorded;
      }, { sharedLock: sessionLockKey(request.sessionId) });
      const session = rows[0];
      if (!session) throw attendanceErrors.SESSION_NOT_FOUND();
      // The device changed since the scan looked it up (revoked, flagged, or another copy counted first).
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
  };
}
