import { SqlState, sqlStateOf, type SqlDatabase } from '../../../shared/storage/sql.js';
import type { AttachmentType, JustificationState } from '../domain/justification.js';
import type { ResultStatus } from '../domain/results.js';
import type { Justification, JustificationRepository } from '../application/ports.js';
import { applyCorrection } from './report-repository.js';

const RESULT_OF = `
  SELECT r.status, r.is_final, s.planned_start FROM attendance.results r JOIN attendance.sessions s ON s.id = r.session_id
  WHERE r.session_id = $1 AND r.student_id = $2`;
const INSERT = `
  INSERT INTO attendance.justifications (session_id, student_id, reason, attachment, attachment_type, attachment_name)
  VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`;
// Everything but the document's bytes: lists never carry them.
const COLUMNS = `
  j.id::text AS id, j.session_id, s.course_id, s.course_name, s.teacher_id, s.planned_start, s.room, j.student_id, g.student_name,
  j.reason, j.attachment_type, j.attachment_name, octet_length(j.attachment) AS attachment_bytes, j.state, j.requested_at,
  j.decided_by, j.decided_by_name, j.decided_role, j.decided_at, j.decision_note`;
const FROM = `
  FROM attendance.justifications j
  JOIN attendance.sessions s ON s.id = j.session_id
  JOIN attendance.registrations g ON g.session_id = j.session_id AND g.student_id = j.student_id`;
const BY_ID = `SELECT ${COLUMNS} ${FROM} WHERE j.id = $1`;
const OF_STUDENT = `SELECT ${COLUMNS} ${FROM} WHERE j.student_id = $1 ORDER BY j.requested_at DESC, j.id DESC`;
// Waiting ones first, then the history, newest first.
const OF_COURSE = `SELECT ${COLUMNS} ${FROM} WHERE s.course_id = $1 ORDER BY j.state <> 'pending', j.requested_at DESC, j.id DESC`;
const LOCK = `SELECT state, session_id, student_id FROM attendance.justifications WHERE id = $1 FOR UPDATE`;
const DECIDE = `
  UPDATE attendance.justifications
  SET state = $2, decided_by = $3, decided_by_name = $4, decided_role = $5, decided_at = now(), decision_note = $6
  WHERE id = $1`;
const ATTACHMENT = `SELECT attachment, attachment_type, attachment_name FROM attendance.justifications WHERE id = $1`;

interface Row {
  id: string;
  session_id: string;
  course_id: string;
  course_name: string;
  teacher_id: string;
  planned_start: Date;
  room: string;
  student_id: string;
  student_name: string;
  reason: string;
  attachment_type: AttachmentType | null;
  attachment_name: string | null;
  attachment_bytes: number | null;
  state: JustificationState;
  requested_at: Date;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_role: 'teacher' | 'admin' | null;
  decided_at: Date | null;
  decision_note: string | null;
}

const toJustification = (r: Row): Justification => ({
  id: r.id,
  sessionId: r.session_id,
  courseId: r.course_id,
  courseName: r.course_name,
  teacherId: r.teacher_id,
  plannedStart: r.planned_start,
  room: r.room,
  studentId: r.student_id,
  studentName: r.student_name,
  reason: r.reason,
  attachment: r.attachment_type && r.attachment_name ? { type: r.attachment_type, name: r.attachment_name, bytes: Number(r.attachment_bytes) } : null,
  state: r.state,
  requestedAt: r.requested_at,
  decision:
    r.decided_by && r.decided_at && r.decided_role
      ? { by: { id: r.decided_by, name: r.decided_by_name ?? r.decided_by, role: r.decided_role }, at: r.decided_at, note: r.decision_note }
      : null,
});

/** Students' requests to justify an absence, the teacher's decision, and the correction an approval makes. */
export function createJustificationRepository(db: SqlDatabase): JustificationRepository {
  const byId = async (id: string) => {
    const { rows } = await db.query<Row>(BY_ID, [id]);
    return rows[0] ? toJustification(rows[0]) : null;
  };
  return {
    async resultOf(sessionId, studentId) {
      const { rows } = await db.query<{ status: ResultStatus; is_final: boolean; planned_start: Date }>(RESULT_OF, [sessionId, studentId]);
      const row = rows[0];
      return row ? { status: row.status, final: row.is_final, plannedStart: row.planned_start } : null;
    },
    async create({ sessionId, studentId, reason, attachment }) {
      try {
        const { rows } = await db.query<{ id: string }>(INSERT, [sessionId, studentId, reason, attachment?.bytes ?? null, attachment?.type ?? null, attachment?.name ?? null]);
        return (await byId(String(rows[0]!.id)))!;
      } catch (error) {
        // The partial unique index: one request waiting per student and class.
        if (sqlStateOf(error) === SqlState.uniqueViolation) return 'already_pending';
        throw error;
      }
    },
    find: byId,
    async decide({ id, decision, note, actor, correctionReason }) {
      const decided = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ state: JustificationState; session_id: string; student_id: string }>(LOCK, [id]);
        const request = rows[0];
        if (request?.state !== 'pending') return false;
        await tx.query(DECIDE, [id, decision, actor.id, actor.name, actor.role, note]);
        if (decision === 'approved') {
          await applyCorrection(tx, { sessionId: request.session_id, studentId: request.student_id, status: 'excused', reason: correctionReason, actor });
        }
        return true;
      });
      return decided ? (await byId(id))! : 'already_decided';
    },
    async ofStudent(studentId) {
      return (await db.query<Row>(OF_STUDENT, [studentId])).rows.map(toJustification);
    },
    async ofCourse(courseId) {
      return (await db.query<Row>(OF_COURSE, [courseId])).rows.map(toJustification);
    },
    async attachment(id) {
      const { rows } = await db.query<{ attachment: Uint8Array | null; attachment_type: AttachmentType | null; attachment_name: string | null }>(ATTACHMENT, [id]);
      const row = rows[0];
      return row?.attachment && row.attachment_type && row.attachment_name ? { bytes: Buffer.from(row.attachment), type: row.attachment_type, name: row.attachment_name } : null;
    },
  };
}
