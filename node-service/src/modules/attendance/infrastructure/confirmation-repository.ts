import type { SqlDatabase } from '../../../shared/storage/sql.js';
import { attendanceErrors, confirmationErrors } from '../domain/errors.js';
import type { ConfirmationRepository } from '../application/ports.js';
import { writeResult } from './results-writer.js';

// FOR SHARE: confirmations run side by side, while a close or a round change (FOR UPDATE) waits for them.
const LOCK_FOR_CONFIRMATION = `
  SELECT s.state, s.roster_policy, s.planned_start, s.late_after_minutes, s.course_name, s.room,
         (SELECT r.number::int FROM attendance.rounds r WHERE r.session_id = s.id AND r.ended_at IS NULL) AS current_round,
         (SELECT coalesce(max(r.number), 0)::int FROM attendance.rounds r WHERE r.session_id = s.id) AS rounds_run,
         (SELECT g.source FROM attendance.registrations g WHERE g.session_id = s.id AND g.student_id = $2) AS registration
  FROM attendance.sessions s WHERE s.id = $1 FOR SHARE OF s`;
const REGISTER_WALK_IN = `
  INSERT INTO attendance.registrations (session_id, student_id, student_name, source, flagged)
  VALUES ($1, $2, $3, 'walk_in', true) ON CONFLICT (session_id, student_id) DO NOTHING`;
// The new row and the student's earlier ones in one round trip (a statement does not see its own insert).
const INSERT_VALIDATION = `
  WITH inserted AS (
    INSERT INTO attendance.validations (session_id, round, student_id, device_id, slot, client_address)
    VALUES ($1, $2, $3, $4, $5, $6::inet)
    ON CONFLICT (session_id, round, student_id) DO NOTHING
    RETURNING validated_at
  )
  SELECT (SELECT validated_at FROM inserted) AS inserted_at,
         count(v.id)::int AS earlier,
         min(v.validated_at) AS earliest
  FROM attendance.validations v WHERE v.session_id = $1 AND v.student_id = $3`;

interface LockedRow {
  state: 'scheduled' | 'open' | 'closed';
  roster_policy: 'refuse' | 'flag';
  planned_start: Date;
  late_after_minutes: number;
  course_name: string;
  room: string;
  current_round: number | null;
  rounds_run: number;
  registration: 'roster' | 'walk_in' | null;
}

export function createConfirmationRepository(db: SqlDatabase): ConfirmationRepository {
  return {
    record(request) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<LockedRow>(LOCK_FOR_CONFIRMATION, [request.sessionId, request.studentId]);
        const session = rows[0];
        if (!session) throw attendanceErrors.SESSION_NOT_FOUND();
        if (session.state === 'closed') throw confirmationErrors.SCAN_SESSION_CLOSED();
        if (session.state !== 'open' || session.current_round !== request.round) throw confirmationErrors.SCAN_ROUND_NOT_OPEN();

        let walkIn = session.registration === 'walk_in';
        if (session.registration === null) {
          if (session.roster_policy === 'refuse') throw confirmationErrors.SCAN_NOT_ON_ROSTER();
          await tx.query(REGISTER_WALK_IN, [request.sessionId, request.studentId, request.studentId]);
          walkIn = true;
        }

        const inserted = await tx.query<{ inserted_at: Date | null; earlier: number; earliest: Date | null }>(INSERT_VALIDATION, [
          request.sessionId, request.round, request.studentId, request.deviceId, request.slot, request.clientAddress,
        ]);
        const { inserted_at: insertedAt, earlier, earliest } = inserted.rows[0]!;
        const confirmed = insertedAt !== null;
        if (confirmed) {
          await writeResult(tx, {
            sessionId: request.sessionId,
            studentId: request.studentId,
            participation: {
              roundsRun: session.rounds_run,
              roundsConfirmed: earlier + 1,
              firstConfirmedAt: earliest && earliest < insertedAt ? earliest : insertedAt,
            },
            rule: { plannedStart: session.planned_start, lateAfterMinutes: session.late_after_minutes },
          });
        }
        return {
          outcome: confirmed ? ('confirmed' as const) : ('already_confirmed' as const),
          walkIn,
          session: { id: request.sessionId, courseName: session.course_name, room: session.room },
          round: request.round,
        };
      });
    },
  };
}
