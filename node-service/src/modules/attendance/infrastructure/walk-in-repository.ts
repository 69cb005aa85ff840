import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { WalkInRepository } from '../application/ports.js';

/** Walk-ins are registered under their id as a placeholder name (the scan knows no name). */
const UNNAMED = `
  SELECT DISTINCT g.student_id FROM attendance.registrations g
  WHERE g.session_id = ANY($1::uuid[]) AND g.source = 'walk_in' AND g.student_name = g.student_id`;
const RENAME = `
  UPDATE attendance.registrations SET student_name = $2
  WHERE student_id = $1 AND source = 'walk_in' AND student_name = student_id`;
const LOCK_WALK_IN = `
  SELECT g.student_name,
         (SELECT count(*)::int FROM attendance.validations v WHERE v.session_id = g.session_id AND v.student_id = g.student_id) AS confirmations
  FROM attendance.registrations g
  WHERE g.session_id = $1 AND g.student_id = $2 AND g.source = 'walk_in'
  FOR UPDATE`;
const ACCEPT = `UPDATE attendance.registrations SET flagged = false WHERE session_id = $1 AND student_id = $2`;
// Validations and the result go with the registration (ON DELETE CASCADE).
const REJECT = `DELETE FROM attendance.registrations WHERE session_id = $1 AND student_id = $2`;
const AUDIT = `
  INSERT INTO attendance.walk_in_reviews (session_id, student_id, student_name, decision, reason, confirmations_removed, actor_id, actor_role)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

export function createWalkInRepository(db: SqlDatabase): WalkInRepository {
  return {
    async unnamed(sessionIds) {
      if (sessionIds.length === 0) return [];
      return (await db.query<{ student_id: string }>(UNNAMED, [sessionIds])).rows.map((r) => r.student_id);
    },
    async rename(studentId, name) {
      await db.query(RENAME, [studentId, name]);
    },
    review({ sessionId, studentId, decision, reason, actor }) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{ student_name: string; confirmations: number }>(LOCK_WALK_IN, [sessionId, studentId]);
        const walkIn = rows[0];
        if (!walkIn) return null;
        await tx.query(decision === 'accepted' ? ACCEPT : REJECT, [sessionId, studentId]);
        const removed = decision === 'rejected' ? walkIn.confirmations : 0;
        await tx.query(AUDIT, [sessionId, studentId, walkIn.student_name, decision, reason, removed, actor.id, actor.role]);
        return { studentId, studentName: walkIn.student_name, decision, confirmationsRemoved: removed };
      });
    },
  };
}
