import { SqlState, sqlStateOf, type SqlDatabase, type SqlExecutor } from '../../../shared/storage/sql.js';
import type { DeviceRepository } from '../application/ports.js';
import type { Actor, ActorRole, Device, DeviceState, HistoryAction, HistoryEntry } from '../domain/device.js';
import { enrollmentErrors } from '../domain/errors.js';
import type { Standing } from '../domain/policy.js';

const DEVICE_COLUMNS = `id, student_id, credential_id, public_key, sign_count, transports, aaguid::text AS aaguid,
  backup_eligible, backed_up, friendly_name, state, flagged_reason, created_at, last_used_at, revoked_at, revoked_reason`;

const SELECT_BY_STUDENT = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices WHERE student_id = $1
  ORDER BY (state = 'revoked'), created_at DESC, id DESC`;
const SELECT_BY_ID = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices WHERE id = $1`;
const SELECT_BY_CREDENTIAL = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices WHERE credential_id = $1`;
const SELECT_BY_CREDENTIAL_PREFIX = `SELECT ${DEVICE_COLUMNS} FROM enrollment.devices WHERE starts_with(credential_id, $1)
  ORDER BY created_at DESC LIMIT $2`;

/** Enrolments since the student's last reset (history ids only grow), and devices not revoked. */
const SELECT_STANDING = `
  SELECT
    (SELECT count(*) FROM enrollment.devices WHERE student_id = $1 AND state <> 'revoked') AS devices_in_use,
    count(*) AS enrolments,
    max(occurred_at) AS last_enrolled_at
  FROM enrollment.enrollment_history
  WHERE student_id = $1 AND action = 'enrolled'
    AND id > COALESCE(
      (SELECT max(id) FROM enrollment.enrollment_history WHERE student_id = $1 AND action = 'reset'), 0)`;

/** Serialises enrolments and resets of one student across connections and instances. */
const LOCK_STUDENT = `SELECT pg_advisory_xact_lock(hashtext('asistencia.enrollment:' || $1))`;

const INSERT_DEVICE = `
  INSERT INTO enrollment.devices
    (credential_id, public_key, sign_count, transports, aaguid, backup_eligible, backed_up, student_id, friendly_name)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  RETURNING ${DEVICE_COLUMNS}`;

const INSERT_HISTORY = `
  INSERT INTO enrollment.enrollment_history (student_id, device_id, action, actor_id, actor_role, reason, details)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`;

const SELECT_HISTORY = `
  SELECT id, student_id, device_id, action, actor_id, actor_role, reason, details, occurred_at
  FROM enrollment.enrollment_history WHERE student_id = $1 ORDER BY id DESC LIMIT $2`;

const LOCK_DEVICE = `SELECT friendly_name FROM enrollment.devices WHERE id = $1 AND state <> 'revoked' FOR UPDATE`;
const UPDATE_NAME = `UPDATE enrollment.devices SET friendly_name = $2 WHERE id = $1 RETURNING ${DEVICE_COLUMNS}`;

const REVOKE = `
  UPDATE enrollment.devices SET state = 'revoked', revoked_at = now(), revoked_reason = $2
  WHERE id = $1 AND state <> 'revoked'
  RETURNING ${DEVICE_COLUMNS}`;

const FLAG = `
  UPDATE enrollment.devices SET state = 'flagged', flagged_reason = $2
  WHERE id = $1 AND state = 'active'
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
  friendly_name: string;
  state: DeviceState;
  flagged_reason: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
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
    name: row.friendly_name,
    state: row.state,
    flaggedReason: row.flagged_reason,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
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

async function writeHistory(
  tx: SqlExecutor,
  entry: { studentId: string; deviceId: number | null; action: HistoryAction; actor: Actor; reason: string | null; details?: Record<string, unknown> },
): Promise<void> {
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
  const { rows } = await db.query<{ devices_in_use: number; enrolments: number; last_enrolled_at: Date | null }>(SELECT_STANDING, [studentId]);
  const row = rows[0]!;
  return { devicesInUse: row.devices_in_use, enrolmentsSinceReset: row.enrolments, lastEnrolledAt: row.last_enrolled_at };
}

export function createDeviceRepository(db: SqlDatabase): DeviceRepository {
  const one = async (text: string, params: readonly unknown[], executor: SqlExecutor = db): Promise<Device | null> => {
    const { rows } = await executor.query<DeviceRow>(text, params);
    return rows[0] ? toDevice(rows[0]) : null;
  };

  return {
    async listByStudent(studentId) {
      return (await db.query<DeviceRow>(SELECT_BY_STUDENT, [studentId])).rows.map(toDevice);
    },
    findById: (deviceId) => one(SELECT_BY_ID, [deviceId]),
    findByCredentialId: (credentialId) => one(SELECT_BY_CREDENTIAL, [credentialId]),
    async findByCredentialPrefix(prefix, limit) {
      return (await db.query<DeviceRow>(SELECT_BY_CREDENTIAL_PREFIX, [prefix, limit])).rows.map(toDevice);
    },
    standing: (studentId) => readStanding(db, studentId),
    async history(studentId, limit) {
      return (await db.query<HistoryRow>(SELECT_HISTORY, [studentId, limit])).rows.map(toHistoryEntry);
    },

    async enrol(input, check) {
      const { credential } = input;
      try {
        return await db.transaction(async (tx) => {
          await tx.query(LOCK_STUDENT, [input.studentId]);
          check(await readStanding(tx, input.studentId));
          const device = (await one(
            INSERT_DEVICE,
            [
              credential.credentialId,
              Buffer.from(credential.publicKey),
              credential.signCount,
              credential.transports,
              credential.aaguid,
              credential.backupEligible,
              credential.backedUp,
              input.studentId,
              input.name,
            ],
            tx,
          ))!;
          await writeHistory(tx, { studentId: input.studentId, deviceId: device.id, action: 'enrolled', actor: input.actor, reason: null, details: input.details });
          return device;
        });
      } catch (error) {
        if (sqlStateOf(error) === SqlState.uniqueViolation) throw enrollmentErrors.ENROLLMENT_CREDENTIAL_ALREADY_ENROLLED();
        throw error;
      }
    },

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
        await tx.query(LOCK_STUDENT, [studentId]);
        const standing = await readStanding(tx, studentId);
        await writeHistory(tx, {
          studentId,
          deviceId: null,
          action: 'reset',
          actor,
          reason,
          details: { enrolmentsCleared: standing.enrolmentsSinceReset },
        });
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
