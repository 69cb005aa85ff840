import type { SqlDatabase } from '../../../shared/storage/sql.js';
import { attendanceErrors, confirmationErrors } from '../domain/errors.js';
import type { ConfirmationRepository } from '../application/ports.js';

/**
 * A confirmation is one call, one round trip and one commit: `attendance.record_confirmation` (migration
 * 011) takes the session's shared advisory lock, then records. A round change or close takes the same lock
 * alone (session-repository.ts), so it waits for confirmations in flight and they wait for it; each query
 * in the function takes its snapshot after the lock is held, so a confirmation that waited reads the
 * session afresh. Unlike FOR SHARE on the session row, the lock creates no MultiXacts. The function moves
 * the device's sign counter forward (only forward, the rule of scan/domain/sign-counter.ts, checked on the
 * row as it is now so that two copies of a passkey signing at once cannot both pass, and only while the
 * device is active and bound to the phone key that signed), registers a walk-in
 * when the session accepts them, inserts the validation once per (session, round, student) with the
 * device's alerts, writes the student's result by the rule in migration 003, and keeps the scan's receipt
 * with a new validation. The answer says which checks held, for the caller to name the refusal.
 *
 * The counter belongs to the enrollment schema and the receipt to the evidence schema; both are written
 * here so that a scan costs one commit.
 */
const RECORD_CONFIRMATION = 'SELECT * FROM attendance.record_confirmation($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)';

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
        request.deviceUse.signCount, request.deviceUse.backedUp ?? null, request.deviceUse.phoneKeyId, request.receipt ?? null,
      ];
      const { rows } = await db.query<RecordedRow>(RECORD_CONFIRMATION, params);
      const session = rows[0];
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
  };
}
