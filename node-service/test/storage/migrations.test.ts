import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { migrate, migrationsApplied, MIGRATIONS_TABLE } from '../../src/shared/storage/migrations.js';
import { createPgDatabase } from '../../src/shared/storage/pg-database.js';
import type { SqlDatabase } from '../../src/shared/storage/sql.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { FUNCTIONS_DIR, MIGRATIONS_DIR } from '../support/global-setup.js';
import { definedFunctions, functionFileNames } from './function-files.js';
import { migrationFiles, migrationVersions, nextMigrationName } from './migration-files.js';

// The real migrations against a real, empty PostgreSQL database per test.

const INITIAL = '001.do.initial-schema.sql';
const ALL = migrationFiles();
const LATEST = Math.max(...migrationVersions());
const FUNCTIONS = functionFileNames();
const folders: string[] = [];
let database: TestDatabase;
const pools: SqlDatabase[] = [];

/** A pool of its own on this test's database, closed after the test. */
function pool(): SqlDatabase {
  const db = createPgDatabase({ url: database.url, poolSize: 2 });
  pools.push(db);
  return db;
}

/** A copy of the real migrations folder that a test may edit. */
function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asistencia-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  folders.push(dir);
  return dir;
}

/** A copy of the real functions folder that a test may edit. */
function copyOfFunctions(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asistencia-functions-'));
  cpSync(FUNCTIONS_DIR, dir, { recursive: true });
  folders.push(dir);
  return dir;
}

/** Every definition of a function of that name: its body, once per overload. */
async function bodiesOf(db: SqlDatabase, schema: string, name: string): Promise<string[]> {
  const { rows } = await db.query<{ prosrc: string }>(
    `SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2`,
    [schema, name],
  );
  return rows.map((row) => row.prosrc);
}

/** The versions the tracking table records, once per row (postgrator's own version-0 row left out). */
async function recorded(db: SqlDatabase): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>(
    `SELECT version::int AS version FROM ${MIGRATIONS_TABLE} WHERE version > 0 ORDER BY version`,
  );
  return rows.map((row) => row.version);
}

async function tableExists(db: SqlDatabase, name: string): Promise<boolean> {
  const { rows } = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [name]);
  return rows[0]!.present;
}

beforeEach(async () => {
  database = await createTestDatabase({ migrated: false });
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((db) => db.close()));
  await database.drop();
});
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('migrate on an empty database', () => {
  test('applies 001 onwards and records each once', async () => {
    const db = pool();
    expect(await migrationsApplied(db, MIGRATIONS_DIR)).toBe(false);
    const report = await migrate(db, MIGRATIONS_DIR, FUNCTIONS_DIR);
    expect(report).toEqual({ applied: ALL, version: LATEST, functions: FUNCTIONS });
    expect(ALL[0]).toBe(INITIAL);
    expect(await recorded(db)).toEqual(migrationVersions());
    expect(await tableExists(db, 'attendance.validations')).toBe(true);
    expect(await migrationsApplied(db, MIGRATIONS_DIR)).toBe(true);
  });

  test('running it again applies nothing', async () => {
    const db = pool();
    await migrate(db, MIGRATIONS_DIR, FUNCTIONS_DIR);
    expect(await migrate(db, MIGRATIONS_DIR, FUNCTIONS_DIR)).toEqual({ applied: [], version: LATEST, functions: FUNCTIONS });
    expect(await recorded(db)).toEqual(migrationVersions());
  });

  test('two instances migrating at the same moment both succeed, and each migration is applied once', async () => {
    const reports = await Promise.all([migrate(pool(), MIGRATIONS_DIR, FUNCTIONS_DIR), migrate(pool(), MIGRATIONS_DIR, FUNCTIONS_DIR)]);
    expect(reports.flatMap((report) => report.applied)).toEqual(ALL);
    expect(await recorded(pool())).toEqual(migrationVersions());
  });
});

describe('upgrading a database in use', () => {
  test('003 gives each session row its rounds from the rounds it already ran', async () => {
    const db = pool();
    const before003 = copyOfMigrations();
    const from003 = migrationFiles().filter((name) => Number(name.split('.')[0]) >= 3);
    for (const name of from003) rmSync(join(before003, name));
    expect((await migrate(db, before003, null)).version).toBe(2);
    const session = (course: string, state: string) =>
      db.query<{ id: string }>(
        `INSERT INTO attendance.sessions (course_id, course_name, teacher_id, room, planned_start, planned_end, rounds_planned, state, opened_at, closed_at)
         VALUES ($1, $1, 't', 'A1', now(), now() + interval '1 hour', 3, $2,
                 CASE WHEN $2 <> 'scheduled' THEN now() END, CASE WHEN $2 = 'closed' THEN now() END) RETURNING id`,
        [course, state],
      ).then(({ rows }) => rows[0]!.id);
    const running = await session('RUNNING', 'open');
    const between = await session('BETWEEN', 'open');
    const closed = await session('CLOSED', 'closed');
    await session('FRESH', 'scheduled');
    const round = (id: string, number: number, ended: boolean) =>
      db.query(`INSERT INTO attendance.rounds (session_id, number, ended_at) VALUES ($1, $2, CASE WHEN $3 THEN now() END)`, [id, number, ended]);
    await round(running, 1, true);
    await round(running, 2, false);
    await round(between, 1, true);
    await round(closed, 1, true);
    await round(closed, 2, true);

    expect(await migrate(db, MIGRATIONS_DIR, FUNCTIONS_DIR)).toEqual({ applied: from003, version: LATEST, functions: FUNCTIONS });
    const { rows } = await db.query(
      `SELECT course_id, rounds_started::int AS rounds_started, current_round::int AS current_round FROM attendance.sessions ORDER BY course_id`,
    );
    expect(rows).toEqual([
      { course_id: 'BETWEEN', rounds_started: 1, current_round: null },
      { course_id: 'CLOSED', rounds_started: 2, current_round: null },
      { course_id: 'FRESH', rounds_started: 0, current_round: null },
      { course_id: 'RUNNING', rounds_started: 2, current_round: 2 },
    ]);
  });
});

describe('upgrading a database with partial credit chosen', () => {
  test('024 keeps each course’s partial credit as its grade policy’s partial points, otherwise the default, and drops the old table', async () => {
    const db = pool();
    const before024 = copyOfMigrations();
    const from024 = migrationFiles().filter((name) => Number(name.split('.')[0]) >= 24);
    for (const name of from024) rmSync(join(before024, name));
    await migrate(db, before024, null);
    await db.query(`INSERT INTO attendance.course_partial_credit (course_id, credit, set_by) VALUES ('FULL', 'full', '1'), ('HALF', 'half', '1'), ('NONE', 'none', '7')`);

    expect((await migrate(db, MIGRATIONS_DIR, FUNCTIONS_DIR)).applied).toEqual(from024);
    const { rows } = await db.query(
      `SELECT course_id, basis, drop_lowest, late_points::float8 AS late, partial_points::float8 AS partial, absence_penalty::float8 AS penalty, set_by
       FROM attendance.course_grade_policies ORDER BY course_id`,
    );
    const policy = { basis: 'to_date', drop_lowest: 0, late: 1, penalty: 0 };
    expect(rows).toEqual([
      { course_id: 'FULL', ...policy, partial: 1, set_by: '1' },
      { course_id: 'HALF', ...policy, partial: 0.5, set_by: '1' },
      { course_id: 'NONE', ...policy, partial: 0, set_by: '7' },
    ]);
    expect(await tableExists(db, 'attendance.course_partial_credit')).toBe(false);
    expect(await tableExists(db, 'attendance.course_partial_credit_changes')).toBe(true);
  });
});

describe('a changed migrations folder', () => {
  test('an applied migration that was edited stops migrate, naming the file', async () => {
    const dir = copyOfMigrations();
    const db = pool();
    await migrate(db, dir, FUNCTIONS_DIR);
    appendFileSync(join(dir, INITIAL), '\nCREATE INDEX sneaky_idx ON attendance.results (status);\n');
    await expect(migrate(db, dir, FUNCTIONS_DIR)).rejects.toThrow(`${INITIAL} was edited`);
    expect(await tableExists(db, 'attendance.sneaky_idx')).toBe(false);
  });

  test('a new migration that fails is named, and nothing of it stays applied', async () => {
    const dir = copyOfMigrations();
    const db = pool();
    await migrate(db, dir, FUNCTIONS_DIR);
    const broken = nextMigrationName(dir, 'add-notes');
    writeFileSync(
      join(dir, broken),
      'CREATE TABLE attendance.notes (id int);\nINSERT INTO attendance.no_such_table VALUES (1);\n',
    );
    await expect(migrate(db, dir, FUNCTIONS_DIR)).rejects.toThrow(`Migration failed in ${broken}: relation "attendance.no_such_table" does not exist`);
    expect(await tableExists(db, 'attendance.notes')).toBe(false);
    expect(await recorded(db)).toEqual(migrationVersions());
    expect(await migrationsApplied(db, dir)).toBe(false);
    expect(await migrationsApplied(db, MIGRATIONS_DIR)).toBe(true);
  });

  test('a broken first run leaves the database empty, not half-migrated', async () => {
    const dir = copyOfMigrations();
    const broken = nextMigrationName(dir, 'broken');
    writeFileSync(join(dir, broken), 'CREATE TABLE attendance.notes (id int;\n');
    const db = pool();
    await expect(migrate(db, dir, FUNCTIONS_DIR)).rejects.toThrow(broken);
    expect(await tableExists(db, 'attendance.sessions')).toBe(false);
    expect(await tableExists(db, MIGRATIONS_TABLE)).toBe(false);
  });

  test('a folder that does not exist is named', async () => {
    await expect(migrate(pool(), '/nonexistent/migrations', FUNCTIONS_DIR)).rejects.toThrow('/nonexistent/migrations');
  });
});

describe('the function files (database/functions)', () => {
  test('after the migrations, each function is what its file says, and only that', async () => {
    const db = pool();
    const defined = definedFunctions();
    expect(defined.map((f) => `${f.schema}.${f.name}`)).toEqual(
      expect.arrayContaining(['attendance.record_confirmations', 'evidence.keep_receipts', 'attendance.computed_status']),
    );
    expect(new Set(defined.map((f) => f.file))).toEqual(new Set(FUNCTIONS));
    await migrate(db, MIGRATIONS_DIR, FUNCTIONS_DIR);
    for (const fn of defined) expect(await bodiesOf(db, fn.schema, fn.name), fn.file).toEqual([fn.body]);
  });

  test('an edited function file takes effect on the next start, with no new migration', async () => {
    const db = pool();
    const functions = copyOfFunctions();
    await migrate(db, MIGRATIONS_DIR, functions);
    const status = () =>
      db.query<{ status: string }>(`SELECT attendance.computed_status(2, 2, now() + interval '1 minute', now()) AS status`).then(({ rows }) => rows[0]!.status);
    expect(await status()).toBe('late');

    // A first confirmation after the threshold is no longer late: one file edited, no migration added.
    const file = join(functions, 'attendance.computed_status.sql');
    const sql = readFileSync(file, 'utf8');
    expect(sql).toContain(`WHEN first_confirmed_at > late_from THEN 'late'`);
    writeFileSync(file, sql.replace(`WHEN first_confirmed_at > late_from THEN 'late'`, `WHEN false THEN 'late'`));
    expect(await migrate(db, MIGRATIONS_DIR, functions)).toEqual({ applied: [], version: LATEST, functions: FUNCTIONS });
    expect(await status()).toBe('present');
    expect(await recorded(db)).toEqual(migrationVersions());
  });

  test('a failing function file is named, and nothing of the run stays: one transaction with the migrations', async () => {
    const db = pool();
    const functions = copyOfFunctions();
    writeFileSync(join(functions, 'zz.broken.sql'), 'CREATE OR REPLACE FUNCTION attendance.broken() RETURNS int LANGUAGE sql AS $$ SELECT nothing FROM attendance.no_such_table $$;\n');
    await expect(migrate(db, MIGRATIONS_DIR, functions)).rejects.toThrow(
      'Migration failed in function file zz.broken.sql: relation "attendance.no_such_table" does not exist',
    );
    expect(await tableExists(db, 'attendance.sessions')).toBe(false);
    expect(await tableExists(db, MIGRATIONS_TABLE)).toBe(false);
  });

  test('a run cut by an outage says why, not only that PostgreSQL is unavailable', async () => {
    const db = pool();
    const functions = copyOfFunctions();
    // The migrating connection is ended by the server, as by a failover or an administrator.
    writeFileSync(join(functions, 'zz.cut.sql'), 'SELECT pg_terminate_backend(pg_backend_pid());\n');
    await expect(migrate(db, MIGRATIONS_DIR, functions)).rejects.toThrow(
      /^Migration failed in function file zz\.cut\.sql: SERVICE_UNAVAILABLE: .*postgres\. \(terminating connection due to administrator command\)$/,
    );
    expect(await tableExists(db, MIGRATIONS_TABLE)).toBe(false);
  });

  test('a functions folder that does not exist is named, before anything runs', async () => {
    const db = pool();
    await expect(migrate(db, MIGRATIONS_DIR, '/nonexistent/functions')).rejects.toThrow('Cannot read the functions folder /nonexistent/functions');
    expect(await tableExists(db, MIGRATIONS_TABLE)).toBe(false);
  });
});
