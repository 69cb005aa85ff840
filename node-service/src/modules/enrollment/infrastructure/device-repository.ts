import { groupedCalls, type Grouping } from '../../../shared/storage/grouped-calls.js';
import { locks, takeLock } from '../../../shared/storage/locks.js';
import { SqlState, sqlStateOf, type SqlDatabase, type SqlExecutor } from '../../../shared/storage/sql.js';
import type { AuditEntry, DeviceRepository } from '../application/ports.js';
import type { Actor, ActorRole, AlertReason, Device, DeviceState, HistoryAction, HistoryEntry } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import type { Standing, Verdict } from '../domain/policy.js';

/** Every column of a device, its alerts and its re-bindings of the last 30 days; `d` is enrollment.devices. */
const DEVICE_COLUMNS = `d.id, d.student_id, d.credential_id, d.public_key, d.sign_count, d.transports, d.aaguid::text AS aaguid,
  d.backup_eligible, d.backed_up, d.attestation_format, d.attestation_verified, d.friendly_name, d.state, d.flagged_reason, d.created_at, d.last_used_at, d.revoked_at,
  d.revoked_reason, d.phone_key_id, d.phone_public_key, d.phone_key_bound_at,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('reason', a.reason, 'details', a.details, 'raisedAt', a.raised_at) ORDER BY a.id)
            FROM enrollment.device_alerts a WHERE a.device_id = d.id), '[]'::jsonb) AS alerts,
  (SELECT count(*) FROM enrollment.enrollment_history h
   WHERE h.device_id = d.id AND h.action = 'rebound' AND h.occurred_at > now() - interval '30 days') AS rebinds_last_30_days`;

const SELECT_BY_STUDENT = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices d WHERE d.student_id = $1
  ORDER BY (d.state = 'revoked'), d.created_at DESC, d.id DESC`;
const SELECT_BY_ID = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices d WHERE d.id = $1`;
const SELECT_BY_CREDENTIAL = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices d WHERE d.credential_id = $1`;
const SELECT_BY_CREDENTIAL_PREFIX = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices d WHERE starts_with(d.credential_id, $1)
  ORDER BY d.created_at DESC LIMIT $2`;
/** Every device ever bound to a phone key, revoked ones included (to say "revoked" rather than "unknown"). */
const SELECT_BY_PHONE_KEY = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices d WHERE d.phone_key_id = $1 ORDER BY d.id`;
/** The same for the phone keys of several scans asking at once (grouped calls). */
const SELECT_BY_PHONE_KEYS = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices d WHERE d.phone_key_id = ANY($1::text[]) ORDER BY d.id`;
/** What an admin looks at first: blocked devices and devices with alerts, newest first. */
const SELECT_NEEDING_ATTENTION = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices d
  WHERE d.state = 'flagged' OR (d.state = 'active' AND EXISTS (SELECT 1 FROM enrollment.device_alerts a WHERE a.device_id = d.id))
  ORDER BY (d.state = 'flagged') DESC, d.id DESC LIMIT $1`;
/** The other students whose devices in use are bound to this phone key. */
const SELECT_PHONE_SHARERS = `SELECT DISTINCT student_id FROM enrollment.devices
  WHERE phone_key_id = $1 AND state <> 'revoked' AND student_id <> $2 ORDER BY student_id`;

/** Enrolments since the student's last reset (history ids only grow), and devices not revoked. */
const SELECT_STANDING = `
  SELECT
    (SELECT count(*) FROM enrollment.devices WHERE student_id = $1 AND state <> 'revoked') AS devices_in_use,
    count(*) AS enrollments,
    max(occurred_at) AS last_enrolled_at
  FROM enrollment.enrollment_history
  WHERE student_id = $1 AND action = 'enrolled'
    AND id > COALESCE(
      (SELECT max(id) FROM enrollment.enrollment_history WHERE student_id = $1 AND action = 'reset'), 0)`;

// Enrolments and resets of one student are serialised across connections and instances by locks.student;
// bindings of one phone key by locks.phoneKey, so two students binding one phone at once cannot both pass.
// The phone key's lock is always taken after the student's, never before: no two transactions wait for each
// other in a circle.

const INSERT_DEVICE = `
  INSERT INTO enrollment.devices
    (credential_id, public_key, sign_count, transports, aaguid, backup_eligible, backed_up, student_id, friendly_name,
     phone_key_id, phone_public_key, phone_key_bound_at, attestation_format, attestation_verified)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), $12, $13)
  RETURNING id`;

const BIND_PHONE_KEY = `
  UPDATE enrollment.devices SET phone_key_id = $2, phone_public_key = $3, phone_key_bound_at = now()
  WHERE id = $1 AND state = 'active'
  RETURNING id`;

/** The device's re-bindings the policy counts: in the last 30 days, since the student's last admin reset. */
const REBIND_RECORD = `
  SELECT max(occurred_at) AS last_rebound_at, count(*)::int AS rebinds FROM enrollment.enrollment_history
  WHERE device_id = $1 AND action = 'rebound' AND occurred_at > now() - interval '30 days'
    AND id > COALESCE((SELECT max(id) FROM enrollment.enrollment_history WHERE student_id = $2 AND action = 'reset'), 0)`;

const UPSERT_ALERT = `
  INSERT INTO enrollment.device_alerts (device_id, reason, details) VALUES ($1, $2, $3::jsonb)
  ON CONFLICT (device_id, reason) DO UPDATE SET details = EXCLUDED.details, raised_at = now()`;

const INSERT_HISTORY = `
  INSERT INTO enrollment.enrollment_history (student_id, device_id, action, actor_id, actor_role, reason, details)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`;

const SELECT_HISTORY = `
  SELECT id, student_id, device_id, action, actor_id, actor_role, reason, details, occurred_at
  FROM enrollment.enrollment_history WHERE student_id = $1 ORDER BY id DESC LIMIT $2`;

const LOCK_DEVICE = `SELECT friendly_name FROM enrollment.devices WHERE id = $1 AND state <> 'revoked' FOR UPDATE`;
const UPDATE_NAME = `UPDATE enrollment.devices d SET friendly_name = $2 WHERE d.id = $1 RETURNING ${DEVICE_COLUMNS}`;

const REVOKE = `
  UPDATE enrollment.devices d SET state = 'revoked', revoked_at = now(), revoked_reason = $2
  WHERE d.id = $1 AND d.state <> 'revoked'
  RETURNING ${DEVICE_COLUMNS}`;

const FLAG = `
  UPDATE enrollment.devices d SET state = 'flagged', flagged_reason = $2
  WHERE d.id = $1 AND d.state = 'active'
  RETURNING ${DEVICE_COLUMNS}`;

// Only forward: the counter must have moved past the stored one (both 0: an authenticator that does not
// count), the rule of scan/domain/sign-counter.ts, checked again here on the row as it is now, so that two
// copies of a passkey used at the same moment cannot both pass.
const RECORD_USE = `
  UPDATE enrollment.devices SET sign_count = $2, last_used_at = now(), backed_up = COALESCE($3, backed_up)
  WHERE id = $1 AND state = 'active' AND ($2 > sign_count OR ($2 = 0 AND sign_count = 0))
  RETURNING id`;

interface DeviceRow {
  id: number;
  student_id: string;
  credential_id: string;
  public_key: Uint8Array;
  sign_count: number;
  transports: string[];
  aaguid: string;
  backup_eligible: boolean;
  backed_up: boolean;
  attestation_format: string;
  attestation_verified: boolean;
  friendly_name: string;
  state: DeviceState;
  flagged_reason: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  phone_key_id: string | null;
  phone_public_key: Uint8Array | null;
  phone_key_bound_at: Date | null;
  alerts: Array<{ reason: AlertReason; details: Record<string, unknown>; raisedAt: string }>;
  rebinds_last_30_days: number;
}

interface HistoryRow {
  id: number;
  student_id: string;
  device_id: number | null;
  action: HistoryAction;
  actor_id: string;
  actor_role: ActorRole;
  reason: string | null;
  details: Record<string, unknown>;
  occurred_at: Date;
}

function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    studentId: row.student_id,
    credentialId: row.credential_id,
    publicKey: new Uint8Array(row.public_key),
    signCount: row.sign_count,
    transports: row.transports,
    aaguid: row.aaguid,
    backupEligible: row.backup_eligible,
    backedUp: row.backed_up,
    attestation: { format: row.attestation_format, verified: row.attestation_verified },
    name: row.friendly_name,
    state: row.state,
    flaggedReason: row.flagged_reason,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    phoneKeyId: row.phone_key_id,
    phonePublicKey: row.phone_public_key ? new Uint8Array(row.phone_public_key) : null,
    phoneKeyBoundAt: row.phone_key_bound_at,
    rebindsLast30Days: row.rebinds_last_30_days,
    alerts: row.alerts.map((alert) => ({ reason: alert.reason, details: alert.details, raisedAt: new Date(alert.raisedAt) })),
  };
}

function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    id: row.id,
    studentId: row.student_id,
    deviceId: row.device_id,
    action: row.action,
    actor: { id: row.actor_id, role: row.actor_role },
    reason: row.reason,
    details: row.details,
    occurredAt: row.occurred_at,
  };
}

async function writeHistory(tx: SqlExecutor, entry: AuditEntry): Promise<void> {
  await tx.query(INSERT_HISTORY, [
    entry.studentId,
    entry.deviceId,
    entry.action,
    entry.actor.id,
    entry.actor.role,
    entry.reason,
    JSON.stringify(entry.details ?? {}),
  ]);
}

async function readStanding(db: SqlExecutor, studentId: string): Promise<Standing> {
  const { rows } = await db.query<{ devices_in_use: number; enrollments: number; last_enrolled_at: Date | null }>(SELECT_STANDING, [studentId]);
  const row = rows[0]!;
  return { devicesInUse: row.devices_in_use, enrollmentsSinceReset: row.enrollments, lastEnrolledAt: row.last_enrolled_at };
}

async function phoneSharers(tx: SqlExecutor, phoneKeyId: string, studentId: string): Promise<string[]> {
  return (await tx.query<{ student_id: string }>(SELECT_PHONE_SHARERS, [phoneKeyId, studentId])).rows.map((row) => row.student_id);
}

/**
 * The alerts a verdict raises, each on the device it concerns and in that student's history; a shared
 * phone also on the other students' devices bound to the same key, so both students' histories name it.
 */
async function raiseAlerts(tx: SqlExecutor, device: { id: number; studentId: string; phoneKeyId: string }, verdict: Verdict, actor: Actor): Promise<void> {
  for (const alert of verdict.alerts) {
    await tx.query(UPSERT_ALERT, [device.id, alert.reason, JSON.stringify(alert.details)]);
    await writeHistory(tx, { studentId: device.studentId, deviceId: device.id, action: 'alerted', actor, reason: alert.reason, details: alert.details });
    if (alert.reason !== 'shared_phone') continue;
    const { rows } = await tx.query<{ id: number; student_id: string }>(
      `SELECT id, student_id FROM enrollment.devices WHERE phone_key_id = $1 AND state <> 'revoked' AND student_id <> $2`,
      [device.phoneKeyId, device.studentId],
    );
    for (const other of rows) {
      const details = { otherStudents: [device.studentId] };
      await tx.query(UPSERT_ALERT, [other.id, 'shared_phone', JSON.stringify(details)]);
      await writeHistory(tx, { studentId: other.student_id, deviceId: other.id, action: 'alerted', actor, reason: 'shared_phone', details });
    }
  }
}

/**
 * `phoneLookups`: the scan's lookup by phone key, on its hottest path, grouped when many phones ask at once
 * (shared/storage/grouped-calls.ts: one statement for the phones that waited); without it, one query each.
 */
export function createDeviceRepository(db: SqlDatabase, phoneLookups?: Grouping): DeviceRepository {
  const one = async (text: string, params: readonly unknown[], executor: SqlExecutor = db): Promise<Device | null> => {
    const { rows } = await executor.query<DeviceRow>(text, params);
    return rows[0] ? toDevice(rows[0]) : null;
  };
  const many = async (text: string, params: readonly unknown[]): Promise<Device[]> => (await db.query<DeviceRow>(text, params)).rows.map(toDevice);
  const byPhoneKey = phoneLookups
    ? groupedCalls<string, Device[]>({
        ...phoneLookups,
        one: (phoneKeyId) => many(SELECT_BY_PHONE_KEY, [phoneKeyId]),
        async many(phoneKeyIds) {
          const devices = await many(SELECT_BY_PHONE_KEYS, [[...new Set(phoneKeyIds)]]);
          return phoneKeyIds.map((id) => devices.filter((device) => device.phoneKeyId === id));
        },
      })
    : { load: (phoneKeyId: string) => many(SELECT_BY_PHONE_KEY, [phoneKeyId]) };

  return {
    listByStudent: (studentId) => many(SELECT_BY_STUDENT, [studentId]),
    findById: (deviceId) => one(SELECT_BY_ID, [deviceId]),
    findByCredentialId: (credentialId) => one(SELECT_BY_CREDENTIAL, [credentialId]),
    findByCredentialPrefix: (prefix, limit) => many(SELECT_BY_CREDENTIAL_PREFIX, [prefix, limit]),
    findByPhoneKey: (phoneKeyId) => byPhoneKey.load(phoneKeyId),
    needingAttention: (limit) => many(SELECT_NEEDING_ATTENTION, [limit]),
    standing: (studentId) => readStanding(db, studentId),
    async history(studentId, limit) {
      return (await db.query<HistoryRow>(SELECT_HISTORY, [studentId, limit])).rows.map(toHistoryEntry);
    },
    audit: (entry) => writeHistory(db, entry),

    async enroll(input, decide) {
      const { credential, phoneKey } = input;
      try {
        return await db.transaction(async (tx) => {
          await takeLock(tx, locks.student, input.studentId);
          await takeLock(tx, locks.phoneKey, phoneKey.id);
          const verdict = decide({ standing: await readStanding(tx, input.studentId), sharedWith: await phoneSharers(tx, phoneKey.id, input.studentId) });
          const { rows } = await tx.query<{ id: number }>(INSERT_DEVICE, [
            credential.credentialId,
            Buffer.from(credential.publicKey),
            credential.signCount,
            credential.transports,
            credential.aaguid,
            credential.backupEligible,
            credential.backedUp,
            input.studentId,
            input.name,
            phoneKey.id,
            Buffer.from(phoneKey.publicKey),
            credential.attestation.format,
            credential.attestation.verified,
          ]);
          const id = rows[0]!.id;
          await writeHistory(tx, { studentId: input.studentId, deviceId: id, action: 'enrolled', actor: input.actor, reason: null, details: input.details });
          await raiseAlerts(tx, { id, studentId: input.studentId, phoneKeyId: phoneKey.id }, verdict, input.actor);
          return (await one(SELECT_BY_ID, [id], tx))!;
        });
      } catch (error) {
        if (sqlStateOf(error) === SqlState.uniqueViolation) throw enrollmentErrors.ENROLLMENT_CREDENTIAL_ALREADY_ENROLLED();
        throw error;
      }
    },

    rebind: (input, decide) =>
      db.transaction(async (tx) => {
        await takeLock(tx, locks.student, input.studentId);
        await takeLock(tx, locks.phoneKey, input.phoneKey.id);
        const device = await one(SELECT_BY_ID, [input.deviceId], tx);
        if (!device || device.studentId !== input.studentId || device.state !== 'active') return null;
        const record = (await tx.query<{ last_rebound_at: Date | null; rebinds: number }>(REBIND_RECORD, [device.id, input.studentId])).rows[0]!;
        const rebinds = { lastReboundAt: record.last_rebound_at, rebinds: record.rebinds };
        const verdict = decide({ device, rebinds, sharedWith: await phoneSharers(tx, input.phoneKey.id, input.studentId) });
        const bound = await tx.query(BIND_PHONE_KEY, [device.id, input.phoneKey.id, Buffer.from(input.phoneKey.publicKey)]);
        if (bound.rowCount === 0) return null;
        await writeHistory(tx, {
          studentId: input.studentId,
          deviceId: device.id,
          action: 'rebound',
          actor: input.actor,
          reason: null,
          details: { previousPhoneKeyId: device.phoneKeyId, phoneKeyId: input.phoneKey.id },
        });
        await raiseAlerts(tx, { id: device.id, studentId: input.studentId, phoneKeyId: input.phoneKey.id }, verdict, input.actor);
        return (await one(SELECT_BY_ID, [device.id], tx))!;
      }),

    rename: (deviceId, name, actor) =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<{ friendly_name: string }>(LOCK_DEVICE, [deviceId]);
        if (!rows[0]) return null;
        const device = (await one(UPDATE_NAME, [deviceId, name], tx))!;
        await writeHistory(tx, {
          studentId: device.studentId,
          deviceId,
          action: 'renamed',
          actor,
          reason: null,
          details: { from: rows[0].friendly_name, to: name },
        });
        return device;
      }),

    revoke: (deviceId, reason, actor) =>
      db.transaction(async (tx) => {
        const device = await one(REVOKE, [deviceId, reason], tx);
        if (device) await writeHistory(tx, { studentId: device.studentId, deviceId, action: 'revoked', actor, reason });
        return device;
      }),

    reset: (studentId, reason, actor) =>
      db.transaction(async (tx) => {
        await takeLock(tx, locks.student, studentId);
        const standing = await readStanding(tx, studentId);
        await writeHistory(tx, {
          studentId,
          deviceId: null,
          action: 'reset',
          actor,
          reason,
          details: { enrolmentsCleared: standing.enrollmentsSinceReset },
        });
      }),

    raiseAlert: (deviceId, alert, actor) =>
      db.transaction(async (tx) => {
        const device = await one(SELECT_BY_ID, [deviceId], tx);
        if (device) await raiseAlerts(tx, { id: device.id, studentId: device.studentId, phoneKeyId: device.phoneKeyId ?? '' }, { alerts: [alert] }, actor);
      }),

    flag: (deviceId, reason, actor, details) =>
      db.transaction(async (tx) => {
        const device = await one(FLAG, [deviceId, reason], tx);
        if (device) await writeHistory(tx, { studentId: device.studentId, deviceId, action: 'flagged', actor, reason, details });
        return device;
      }),

    async recordUse(deviceId, use) {
      const { rows } = await db.query(RECORD_USE, [deviceId, use.signCount, use.backedUp ?? null]);
      return rows.length > 0;
    },
  };
}
