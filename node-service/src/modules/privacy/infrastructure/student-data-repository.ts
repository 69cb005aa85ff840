import { locks, takeLock } from '../../../shared/storage/locks.js';
import type { SqlDatabase, SqlExecutor } from '../../../shared/storage/sql.js';
import type { Receipt } from '../../evidence/index.js';
import type { StudentDataRepository } from '../application/ports.js';
import type { StudentData } from '../domain/student-data.js';

// This module reads the enrollment, attendance and evidence tables directly, and writes them only to erase a
// student: one transaction across the schemas, which separate ports could not give.
const NAMES = `SELECT DISTINCT student_name FROM attendance.registrations WHERE student_id = $1 ORDER BY 1`;
const DEVICES = `
SELECT id, credential_id, friendly_name, state, aaguid, attestation_format, attestation_verified, backup_eligible, backed_up, transports, sign_count,
  created_at, last_used_at, revoked_at, revoked_reason, flagged_reason, phone_key_id, phone_key_bound_at
FROM enrollment.devices WHERE student_id = $1 ORDER BY id`;
const HISTORY = `
SELECT device_id, action, actor_id, actor_role, reason, details, occurred_at
FROM enrollment.enrollment_history WHERE student_id = $1 ORDER BY occurred_at, id`;
const ALERTS = `
SELECT a.device_id, a.reason, a.details, a.raised_at FROM enrollment.device_alerts a
JOIN enrollment.devices d ON d.id = a.device_id WHERE d.student_id = $1 ORDER BY a.id`;
const CONFIRMATIONS = `
SELECT v.session_id, s.course_id, s.course_name, s.room, v.round, v.slot, v.device_id,
  host(v.client_address) AS client_address, v.alerts, v.validated_at
FROM attendance.validations v JOIN attendance.sessions s ON s.id = v.session_id
WHERE v.student_id = $1 ORDER BY v.validated_at, v.id`;
const RESULTS = `
SELECT r.session_id, s.course_id, s.course_name, s.planned_start, r.status, r.computed_status,
  r.rounds_confirmed, r.first_confirmed_at, r.is_final, r.override_reason, r.overridden_by, r.overridden_at
FROM attendance.results r JOIN attendance.sessions s ON s.id = r.session_id
WHERE r.student_id = $1 ORDER BY s.planned_start, r.session_id`;
const CORRECTIONS = `
SELECT session_id, previous_status, new_status, reason, actor_id, actor_role, corrected_at
FROM attendance.corrections WHERE student_id = $1 ORDER BY corrected_at, id`;
const SPOT_CHECKS = `
SELECT c.session_id, s.course_id, s.course_name, k.round, k.drawn_by, k.drawn_at, c.outcome, c.reason, c.decided_by, c.decided_at
FROM attendance.spot_check_calls c JOIN attendance.spot_checks k ON k.id = c.spot_check_id JOIN attendance.sessions s ON s.id = c.session_id
WHERE c.student_id = $1 ORDER BY k.drawn_at, k.id`;
const SCAN_ATTEMPTS = `
SELECT t.session_id, s.course_id, s.course_name, t.last_code, t.last_at, t.attempts
FROM attendance.scan_attempts t JOIN attendance.sessions s ON s.id = t.session_id WHERE t.student_id = $1 ORDER BY t.last_at`;
const JUSTIFICATIONS = `
SELECT j.session_id, s.course_id, s.course_name, j.reason, j.attachment_type, j.attachment_name, octet_length(j.attachment) AS attachment_bytes,
       j.state, j.requested_at, j.decided_by, j.decided_by_name, j.decided_at, j.decision_note
FROM attendance.justifications j JOIN attendance.sessions s ON s.id = j.session_id WHERE j.student_id = $1 ORDER BY j.requested_at, j.id`;
const REGISTRATIONS = `
SELECT session_id, source, flagged, registered_at FROM attendance.registrations WHERE student_id = $1 ORDER BY registered_at`;
const ACCESS_LOG = `
SELECT action, actor_id, actor_role, reason, occurred_at FROM privacy.audit WHERE subject_id = $1 ORDER BY occurred_at, id`;

const AUDIT = `INSERT INTO privacy.audit (action, subject_id, actor_id, actor_role, reason) VALUES ($1, $2, $3, $4, $5)`;

const STUDENT_KNOWN = `
SELECT EXISTS (SELECT 1 FROM enrollment.devices WHERE student_id = $1)
    OR EXISTS (SELECT 1 FROM enrollment.enrollment_history WHERE student_id = $1)
    OR EXISTS (SELECT 1 FROM attendance.registrations WHERE student_id = $1)
    OR EXISTS (SELECT 1 FROM evidence.receipts WHERE student_id = $1) AS known`;
const UNLINK_VALIDATIONS = `UPDATE attendance.validations SET device_id = NULL, client_address = NULL WHERE student_id = $1`;
// The registration's id moves to the anonymous one and follows into validations, results and corrections
// (ON UPDATE CASCADE, migration 006): every count stays.
const ANONYMISE = `UPDATE attendance.registrations SET student_id = $2, student_name = $2 WHERE student_id = $1`;
const DELETE_ALERTS = `DELETE FROM enrollment.device_alerts WHERE device_id IN (SELECT id FROM enrollment.devices WHERE student_id = $1)`;
const DELETE_HISTORY = `
DELETE FROM enrollment.enrollment_history
WHERE student_id = $1 OR device_id IN (SELECT id FROM enrollment.devices WHERE student_id = $1)`;
const DELETE_DEVICES = `DELETE FROM enrollment.devices WHERE student_id = $1`;
const DELETE_SCAN_ATTEMPTS = `DELETE FROM attendance.scan_attempts WHERE student_id = $1`;
// Their reasons and documents are theirs alone; an approval stays as the correction it made ("excused").
const DELETE_JUSTIFICATIONS = `DELETE FROM attendance.justifications WHERE student_id = $1`;
/** The warnings by e-mail sent to the student (notifications.sent_mail): who was warned, when, in which course. */
const DELETE_SENT_MAIL = `DELETE FROM notifications.sent_mail WHERE recipient_id = $1`;
const ANONYMISE_READS = `UPDATE privacy.audit SET subject_id = $2 WHERE subject_id = $1`;

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), iso(value)]));

export function createStudentDataRepository(deps: {
  db: SqlDatabase;
  receiptsOf(studentId: string): Promise<Receipt[]>;
  eraseReceipts(tx: SqlExecutor, studentId: string): Promise<number>;
}): StudentDataRepository {
  const { db } = deps;
  const rows = async (sql: string, studentId: string) => (await db.query(sql, [studentId])).rows.map(plain);
  return {
    async gather(studentId) {
      const [names, devices, history, alerts, confirmations, results, corrections, spotChecks, scanAttempts, justifications, registrations, accessLog, receipts] = await Promise.all([
        db.query<{ student_name: string }>(NAMES, [studentId]),
        rows(DEVICES, studentId),
        rows(HISTORY, studentId),
        rows(ALERTS, studentId),
        rows(CONFIRMATIONS, studentId),
        rows(RESULTS, studentId),
        rows(CORRECTIONS, studentId),
        rows(SPOT_CHECKS, studentId),
        rows(SCAN_ATTEMPTS, studentId),
        rows(JUSTIFICATIONS, studentId),
        rows(REGISTRATIONS, studentId),
        rows(ACCESS_LOG, studentId),
        deps.receiptsOf(studentId),
      ]);
      if (devices.length + history.length + registrations.length + receipts.length === 0) return null;
      const receiptOf = (c: Record<string, unknown>) =>
        receipts.find((r) => r.sessionId === c.sessionId && r.evidence?.round === c.round) ?? null;
      const data: StudentData = {
        generatedAt: new Date().toISOString(),
        identity: { studentId, namesOnRosters: names.rows.map((r) => r.student_name) },
        devices: devices.map((d) => ({
          ...d,
          history: history.filter((h) => h.deviceId === d.id),
          alerts: alerts.filter((a) => a.deviceId === d.id),
        })),
        confirmations: confirmations.map((c) => ({ ...c, receipt: receiptOf(c) })),
        results,
        corrections,
        spotChecks,
        scanAttempts,
        justifications,
        flags: [
          ...registrations.filter((r) => r.flagged).map((r) => ({ kind: 'walk_in', ...r })),
          ...confirmations.filter((c) => (c.alerts as string[]).length > 0).map((c) => ({ kind: 'confirmation_alerts', sessionId: c.sessionId, round: c.round, alerts: c.alerts })),
          ...alerts.map((a) => ({ kind: 'device_alert', ...a })),
          ...history.filter((h) => h.deviceId === null).map((h) => ({ kind: 'enrollment_event', ...h })),
        ],
        accessLog,
      };
      return data;
    },
    async auditRead(actor, studentId) {
      await db.query(AUDIT, ['read', studentId, actor.id, actor.role, null]);
    },
    async erase(actor, studentId, anonymousId, reason) {
      return db.transaction(async (tx) => {
        await takeLock(tx, locks.student, studentId);
        const known = (await tx.query<{ known: boolean }>(STUDENT_KNOWN, [studentId])).rows[0]?.known;
        if (!known) return false;
        await deps.eraseReceipts(tx, studentId);
        await tx.query(UNLINK_VALIDATIONS, [studentId]);
        await tx.query(DELETE_JUSTIFICATIONS, [studentId]);
        await tx.query(ANONYMISE, [studentId, anonymousId]);
        await tx.query(DELETE_ALERTS, [studentId]);
        await tx.query(DELETE_HISTORY, [studentId]);
        await tx.query(DELETE_DEVICES, [studentId]);
        await tx.query(DELETE_SCAN_ATTEMPTS, [studentId]);
        await tx.query(DELETE_SENT_MAIL, [studentId]);
        await tx.query(ANONYMISE_READS, [studentId, anonymousId]);
        await tx.query(AUDIT, ['erased', anonymousId, actor.id, actor.role, reason]);
        return true;
      });
    },
  };
}
