import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrate, migrationsApplied, type MigrationReport } from '../../src/shared/storage/migrations.js';
import { SqlState, sqlStateOf, type SqlDatabase, type SqlExecutor } from '../../src/shared/storage/sql.js';
import { FUNCTIONS_DIR, MIGRATIONS_DIR } from '../support/global-setup.js';
import { migrationFiles } from './migration-files.js';

/** An empty database behind one adapter, and how to throw it away. */
export interface SqlSubject {
  db: SqlDatabase;
  dispose(): Promise<void>;
}

const SCRATCH = `
  CREATE SCHEMA contract;
  CREATE TABLE contract.notes (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title   text NOT NULL UNIQUE,
    body    jsonb,
    tags    text[] NOT NULL DEFAULT '{}',
    blob    bytea,
    at      timestamptz
  );
`;

const INSERT_NOTE = 'INSERT INTO contract.notes (title) VALUES ($1) RETURNING id';
const COUNT_NOTES = 'SELECT count(*) AS n FROM contract.notes WHERE title LIKE $1';

/**
 * What the rest of the service may rely on from the SqlDatabase port, whichever adapter runs it: the same
 * migrations, the same SQL, the same types back, the same SQLSTATE codes on refusal.
 */
export function sqlDatabaseContract(name: string, open: () => Promise<SqlSubject>): void {
  describe(`SqlDatabase contract: ${name}`, () => {
    let subject: SqlSubject;
    let db: SqlDatabase;
    let report: MigrationReport;

    beforeAll(async () => {
      subject = await open();
      db = subject.db;
      report = await migrate(db, MIGRATIONS_DIR, FUNCTIONS_DIR);
      await db.exec(SCRATCH);
    });
    afterAll(() => subject?.dispose());

    /** A title no other test uses, so tests do not see each other's rows. */
    const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2)}`;
    const countNotes = async (executor: SqlExecutor, prefix: string) =>
      (await executor.query<{ n: number }>(COUNT_NOTES, [`${prefix}%`])).rows[0]!.n;

    describe('queries', () => {
      test('take parameters as values, never as SQL', async () => {
        const hostile = `x'); DROP TABLE contract.notes; --`;
        const { rows } = await db.query<{ title: string }>('INSERT INTO contract.notes (title) VALUES ($1) RETURNING title', [hostile]);
        expect(rows).toEqual([{ title: hostile }]);
        expect(await countNotes(db, 'x')).toBeGreaterThanOrEqual(1);
      });

      test('count the rows a SELECT returns and the rows an UPDATE changes', async () => {
        const prefix = unique('count');
        for (const n of [1, 2, 3]) await db.query(INSERT_NOTE, [`${prefix}-${n}`]);
        const selected = await db.query('SELECT id FROM contract.notes WHERE title LIKE $1', [`${prefix}%`]);
        expect(selected.rowCount).toBe(3);
        const updated = await db.query('UPDATE contract.notes SET tags = $2 WHERE title LIKE $1', [`${prefix}-%`, ['seen']]);
        expect(updated).toEqual({ rows: [], rowCount: 3 });
        const none = await db.query('UPDATE contract.notes SET tags = $2 WHERE title = $1', ['no such note', ['x']]);
        expect(none.rowCount).toBe(0);
      });

      test('return int8 as a number (ids, counters, counts, and arrays of them)', async () => {
        const { rows } = await db.query<{ id: number }>(INSERT_NOTE, [unique('int8')]);
        expect(typeof rows[0]!.id).toBe('number');
        const { rows: [row] } = await db.query<{ n: number; big: number; ids: number[] }>(
          "SELECT count(*) AS n, 9007199254740991::int8 AS big, array_agg(id ORDER BY id) AS ids FROM contract.notes WHERE id = $1",
          [rows[0]!.id],
        );
        expect(row).toEqual({ n: 1, big: Number.MAX_SAFE_INTEGER, ids: [rows[0]!.id] });
      });

      test('return timestamptz as a Date at the same instant', async () => {
        const at = new Date('2025-03-10T08:00:00.123Z');
        const { rows } = await db.query<{ at: Date; text: Date }>(
          "INSERT INTO contract.notes (title, at) VALUES ($1, $2) RETURNING at, '2025-03-10 09:00:00+01'::timestamptz AS text",
          [unique('time'), at],
        );
        expect(rows[0]!.at).toBeInstanceOf(Date);
        expect(rows[0]!.at.toISOString()).toBe('2025-03-10T08:00:00.123Z');
        expect(rows[0]!.text.toISOString()).toBe('2025-03-10T08:00:00.000Z');
      });

      test('store and return jsonb as the same object', async () => {
        const body = { reason: 'médico', rounds: [1, 2], nested: { ok: true, none: null } };
        const { rows } = await db.query<{ body: unknown; kind: string }>(
          "INSERT INTO contract.notes (title, body) VALUES ($1, $2) RETURNING body, jsonb_typeof(body) AS kind",
          [unique('json'), body],
        );
        expect(rows[0]).toEqual({ body, kind: 'object' });
      });

      test('store and return text arrays, commas, quotes and empty arrays included', async () => {
        const tags = ['usb', 'a,b', 'say "hi"', 'ñandú'];
        const title = unique('array');
        await db.query('INSERT INTO contract.notes (title, tags) VALUES ($1, $2)', [title, tags]);
        const { rows } = await db.query<{ tags: string[] }>('SELECT tags FROM contract.notes WHERE title = ANY($1)', [[title, 'other']]);
        expect(rows).toEqual([{ tags }]);
        const empty = await db.query<{ tags: string[] }>('INSERT INTO contract.notes (title, tags) VALUES ($1, $2) RETURNING tags', [unique('empty'), []]);
        expect(empty.rows[0]!.tags).toEqual([]);
      });

      test('store and return bytea as the same bytes', async () => {
        const key = Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x00, 0xff]);
        const { rows } = await db.query<{ blob: Uint8Array }>('INSERT INTO contract.notes (title, blob) VALUES ($1, $2) RETURNING blob', [unique('bytes'), key]);
        expect(rows[0]!.blob).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(rows[0]!.blob).equals(key)).toBe(true);
      });

      test('exec runs a script of several statements', async () => {
        await db.exec(`
          CREATE TABLE contract.script (n int);
          INSERT INTO contract.script VALUES (1);
          INSERT INTO contract.script VALUES (2);
        `);
        expect((await db.query('SELECT n FROM contract.script ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 2 }]);
      });
    });

    describe('transactions', () => {
      test('commit when the work resolves, and return its value', async () => {
        const prefix = unique('commit');
        const value = await db.transaction(async (tx) => {
          await tx.query(INSERT_NOTE, [`${prefix}-1`]);
          await tx.query(INSERT_NOTE, [`${prefix}-2`]);
          return countNotes(tx, prefix);
        });
        expect(value).toBe(2);
        expect(await countNotes(db, prefix)).toBe(2);
      });

      test('roll back everything when the work throws, and rethrow the same error', async () => {
        const prefix = unique('rollback');
        const failure = new Error('the teacher closed the session meanwhile');
        const attempt = db.transaction(async (tx) => {
          await tx.query(INSERT_NOTE, [`${prefix}-1`]);
          await tx.exec(`INSERT INTO contract.notes (title) VALUES ('${prefix}-2')`);
          throw failure;
        });
        await expect(attempt).rejects.toBe(failure);
        expect(await countNotes(db, prefix)).toBe(0);
      });

      test('roll back the earlier writes when a later statement is refused', async () => {
        const taken = unique('taken');
        await db.query(INSERT_NOTE, [taken]);
        const prefix = unique('partial');
        const attempt = db.transaction(async (tx) => {
          await tx.query(INSERT_NOTE, [`${prefix}-1`]);
          await tx.query(INSERT_NOTE, [taken]);
        });
        await expect(attempt).rejects.toSatisfy((error) => sqlStateOf(error) === SqlState.uniqueViolation);
        expect(await countNotes(db, prefix)).toBe(0);
      });

      test('a transaction sees its own writes before commit', async () => {
        const prefix = unique('own');
        await db.transaction(async (tx) => {
          await tx.query(INSERT_NOTE, [`${prefix}-1`]);
          expect(await countNotes(tx, prefix)).toBe(1);
        });
      });
    });

    describe('refusals', () => {
      test('a unique violation surfaces SQLSTATE 23505', async () => {
        const title = unique('dup');
        await db.query(INSERT_NOTE, [title]);
        const error = await db.query(INSERT_NOTE, [title]).catch((e: unknown) => e);
        expect(sqlStateOf(error)).toBe('23505');
      });

      test('an error that is not from the database has no SQLSTATE', () => {
        expect(sqlStateOf(new Error('boom'))).toBeUndefined();
        expect(sqlStateOf(null)).toBeUndefined();
      });
    });

    describe('the real migrations', () => {
      test('apply every migration file and record them', async () => {
        expect(report.applied).toEqual(migrationFiles());
        expect(await migrationsApplied(db, MIGRATIONS_DIR)).toBe(true);
      });

      test('produce the enrollment and attendance tables', async () => {
        const { rows } = await db.query<{ name: string }>(
          `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
            WHERE table_schema IN ('enrollment', 'attendance') ORDER BY 1`,
        );
        expect(rows.map((row) => row.name)).toEqual(
          expect.arrayContaining([
            'attendance.registrations',
            'attendance.results',
            'attendance.rounds',
            'attendance.sessions',
            'attendance.validations',
            'enrollment.devices',
            'enrollment.enrollment_history',
          ]),
        );
      });

      test('running them again applies nothing', async () => {
        expect((await migrate(db, MIGRATIONS_DIR, FUNCTIONS_DIR)).applied).toEqual([]);
      });
    });

    describe('the schema refuses what must never be stored', () => {
      test('a second validation for the same session, round and student', async () => {
        const seed = await seedRound(db);
        await db.query(INSERT_VALIDATION, [seed.sessionId, seed.studentId, seed.deviceId, 100]);
        const second = await db.query(INSERT_VALIDATION, [seed.sessionId, seed.studentId, seed.deviceId, 101]).catch((e: unknown) => e);
        expect(sqlStateOf(second)).toBe(SqlState.uniqueViolation);
      });

      test('a validation by a student not registered in the session', async () => {
        const seed = await seedRound(db);
        const error = await db
          .query(INSERT_VALIDATION, [seed.sessionId, 'not-registered', seed.deviceId, 100])
          .catch((e: unknown) => e);
        expect(sqlStateOf(error)).toBe(SqlState.foreignKeyViolation);
      });

      test('the same passkey enrolled twice (duplicate credential_id)', async () => {
        const credentialId = unique('cred');
        await insertDevice(db, credentialId, 'student-a');
        const error = await insertDevice(db, credentialId, 'student-b').catch((e: unknown) => e);
        expect(sqlStateOf(error)).toBe(SqlState.uniqueViolation);
      });

      test('a session of 11 rounds', async () => {
        const error = await insertSession(db, 11).catch((e: unknown) => e);
        expect(sqlStateOf(error)).toBe(SqlState.checkViolation);
        await expect(insertSession(db, 10)).resolves.toBeTypeOf('string');
      });

      test('a manual "present" without a reason', async () => {
        const seed = await seedRound(db);
        const error = await db
          .query(
            `INSERT INTO attendance.results (session_id, student_id, status, computed_status) VALUES ($1, $2, 'manual_present', 'absent')`,
            [seed.sessionId, seed.studentId],
          )
          .catch((e: unknown) => e);
        expect(sqlStateOf(error)).toBe(SqlState.checkViolation);
      });
    });
  });
}

const INSERT_DEVICE = `
  INSERT INTO enrollment.devices (credential_id, public_key, student_id, friendly_name)
  VALUES ($1, $2, $3, 'Teléfono') RETURNING id`;
const INSERT_SESSION = `
  INSERT INTO attendance.sessions (course_id, course_name, teacher_id, room, planned_start, planned_end, rounds_planned)
  VALUES ('MAT-101', 'Cálculo I', 'teacher-1', 'B-204', now(), now() + interval '90 minutes', $1) RETURNING id`;
const INSERT_VALIDATION = `
  INSERT INTO attendance.validations (session_id, round, student_id, device_id, slot) VALUES ($1, 1, $2, $3, $4)`;

async function insertDevice(db: SqlExecutor, credentialId: string, studentId: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(INSERT_DEVICE, [credentialId, Buffer.from([1, 2, 3]), studentId]);
  return rows[0]!.id;
}

async function insertSession(db: SqlExecutor, rounds: number): Promise<string> {
  const { rows } = await db.query<{ id: string }>(INSERT_SESSION, [rounds]);
  return rows[0]!.id;
}

/** An open session with round 1 started and one registered student with an enrolled device. */
async function seedRound(db: SqlExecutor) {
  const studentId = `student-${Math.random().toString(36).slice(2)}`;
  const deviceId = await insertDevice(db, `cred-${studentId}`, studentId);
  const sessionId = await insertSession(db, 2);
  await db.query('INSERT INTO attendance.rounds (session_id, number) VALUES ($1, 1)', [sessionId]);
  await db.query(
    `INSERT INTO attendance.registrations (session_id, student_id, student_name, source) VALUES ($1, $2, 'Luis Pérez', 'roster')`,
    [sessionId, studentId],
  );
  return { sessionId, studentId, deviceId };
}
