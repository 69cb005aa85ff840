import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_TABLE } from '../../src/shared/storage/migrations.js';
import { createPgDatabase } from '../../src/shared/storage/pg-database.js';
import type { SqlDatabase } from '../../src/shared/storage/sql.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { POSTGRES_ADMIN_URL } from '../support/environment.js';
import { FUNCTIONS_DIR, MIGRATIONS_DIR } from '../support/global-setup.js';
import { definedFunctions, functionFileNames } from '../storage/function-files.js';
import { migrationFiles } from '../storage/migration-files.js';
import { REPO_ROOT } from './compose.js';

// database/init.sh is what the PostgreSQL container runs on its first start. Run here the way the
// image's entrypoint runs it (bash, POSTGRES_USER/POSTGRES_DB, psql's PG* variables) against this
// machine's PostgreSQL, it must leave exactly what node-service's own runner leaves, so that the service
// starting afterwards has nothing to apply and no checksum to complain about.

const INIT_SH = join(REPO_ROOT, 'database/init.sh');
const databases: TestDatabase[] = [];
const pools: SqlDatabase[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((db) => db.close()));
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrated: false });
  databases.push(db);
  return db;
}

function pool(database: TestDatabase): SqlDatabase {
  const db = createPgDatabase({ url: database.url, poolSize: 2 });
  pools.push(db);
  return db;
}

function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asistencia-init-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  folders.push(dir);
  return dir;
}

function copyOfFunctions(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asistencia-init-functions-'));
  cpSync(FUNCTIONS_DIR, dir, { recursive: true });
  folders.push(dir);
  return dir;
}

/** The body of every function of that name, once per overload. */
async function bodiesOf(db: SqlDatabase, schema: string, name: string): Promise<string[]> {
  const { rows } = await db.query<{ prosrc: string }>(
    `SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2`,
    [schema, name],
  );
  return rows.map((row) => row.prosrc);
}

interface InitRun {
  code: number;
  output: string;
}

/** bash database/init.sh as the postgres image's entrypoint runs it, connected the way psql is told to. */
async function runInitSh(database: TestDatabase, migrationsDir?: string, functionsDir?: string): Promise<InitRun> {
  const admin = new URL(POSTGRES_ADMIN_URL);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    PGHOST: admin.hostname,
    PGPORT: admin.port || '5432',
    POSTGRES_USER: decodeURIComponent(admin.username || 'postgres'),
    POSTGRES_DB: database.name,
  };
  if (admin.password) env.PGPASSWORD = decodeURIComponent(admin.password);
  if (migrationsDir) env.MIGRATIONS_DIR = migrationsDir;
  if (functionsDir) env.FUNCTIONS_DIR = functionsDir;
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', [INIT_SH], { env, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** The schema as the catalog describes it: everything a migration can create, without OIDs. */
async function catalog(db: SqlDatabase): Promise<Record<string, unknown[]>> {
  const user = `NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`;
  const queries: Record<string, string> = {
    schemas: `SELECT nspname FROM pg_namespace WHERE nspname ${user} AND nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast_temp%' ORDER BY 1`,
    extensions: `SELECT extname, extversion FROM pg_extension ORDER BY 1`,
    relations: `SELECT n.nspname, c.relname, c.relkind, c.relpersistence, c.relrowsecurity
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname ${user} ORDER BY 1, 2`,
    columns: `SELECT table_schema, table_name, ordinal_position, column_name, data_type, udt_schema, udt_name,
                     is_nullable, column_default, character_maximum_length, numeric_precision, numeric_scale,
                     datetime_precision, is_identity, identity_generation, identity_start, identity_increment,
                     is_generated, generation_expression, collation_name
              FROM information_schema.columns WHERE table_schema ${user} ORDER BY 1, 2, 3`,
    constraints: `SELECT n.nspname, c.conrelid::regclass::text AS relation, c.conname, c.contype,
                         pg_get_constraintdef(c.oid, true) AS definition, c.condeferrable, c.condeferred, c.convalidated
                  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                  WHERE n.nspname ${user} ORDER BY 1, 2, 3`,
    indexes: `SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname ${user} ORDER BY 1, 2, 3`,
    sequences: `SELECT sequence_schema, sequence_name, data_type, start_value, minimum_value, maximum_value, increment, cycle_option
                FROM information_schema.sequences WHERE sequence_schema ${user} ORDER BY 1, 2`,
    types: `SELECT n.nspname, t.typname, t.typtype,
                   (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels,
                   format_type(t.typbasetype, t.typtypmod) AS base
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname ${user} AND t.typtype IN ('e', 'd', 'r', 'c')
              AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')
            ORDER BY 1, 2`,
    functions: `SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) AS arguments, pg_get_functiondef(p.oid) AS definition
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname ${user} AND p.prokind IN ('f', 'p', 'w') ORDER BY 1, 2, 3`,
    triggers: `SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid, true) AS definition, t.tgenabled
               FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE NOT t.tgisinternal AND n.nspname ${user} ORDER BY 1, 2`,
    views: `SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname ${user} ORDER BY 1, 2`,
    policies: `SELECT schemaname, tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies ORDER BY 1, 2, 3`,
    comments: `SELECT d.classoid::regclass::text AS kind, d.objsubid, d.description,
                      CASE WHEN d.classoid = 'pg_class'::regclass THEN d.objoid::regclass::text
                           WHEN d.classoid = 'pg_namespace'::regclass THEN (SELECT nspname FROM pg_namespace WHERE oid = d.objoid)
                           ELSE NULL END AS object
               FROM pg_description d
               WHERE d.classoid IN ('pg_class'::regclass, 'pg_namespace'::regclass)
                 AND d.objoid NOT IN (SELECT oid FROM pg_namespace WHERE nspname ${user.replace('NOT IN', 'IN')})
                 AND (d.classoid <> 'pg_class'::regclass
                      OR d.objoid IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ${user}))
               ORDER BY 1, 4, 2`,
  };
  const snapshot: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(queries)) snapshot[name] = (await db.query(sql)).rows;
  return snapshot;
}

/** The tracking table's rows, without the moment each was written. */
async function tracked(db: SqlDatabase): Promise<unknown[]> {
  const { rows } = await db.query(`SELECT version::int AS version, name, md5, run_at IS NOT NULL AS timed FROM ${MIGRATIONS_TABLE} ORDER BY version`);
  return rows;
}

/** postgrator's checksum: MD5 of the file read as UTF-8 text (no line-ending conversion configured). */
function postgratorChecksum(path: string): string {
  return createHash('md5').update(readFileSync(path, 'utf8'), 'utf8').digest('hex');
}

describe('database/init.sh on a fresh database', () => {
  it('gives the same catalog and tracking rows as the service\'s migration runner', async () => {
    const [byInit, byService] = [await freshDatabase(), await freshDatabase()];
    const run = await runInitSh(byInit);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`${migrationFiles().length} migration(s) applied`);
    expect(run.output).toContain(`${functionFileNames().length} function file(s) applied`);
    await migrate(pool(byService), MIGRATIONS_DIR, FUNCTIONS_DIR);

    const [initCatalog, serviceCatalog] = [await catalog(pool(byInit)), await catalog(pool(byService))];
    for (const part of ['relations', 'columns', 'constraints', 'indexes'] as const) {
      expect(initCatalog[part]!.length, part).toBeGreaterThan(5);
    }
    expect(initCatalog).toEqual(serviceCatalog);

    const rows = await tracked(pool(byInit));
    expect(rows).toEqual(await tracked(pool(byService)));
    expect(rows).toEqual([
      { version: 0, name: null, md5: null, timed: false },
      ...migrationFiles().map((file) => ({
        version: Number(file.split('.')[0]),
        name: file.replace(/^\d+\.do\./, '').replace(/\.sql$/, ''),
        md5: postgratorChecksum(join(MIGRATIONS_DIR, file)),
        timed: true,
      })),
    ]);
  });

  it('leaves the service nothing to apply and no checksum to complain about', async () => {
    const database = await freshDatabase();
    expect((await runInitSh(database)).code).toBe(0);
    const latest = Math.max(...migrationFiles().map((file) => Number(file.split('.')[0])));
    expect(await migrate(pool(database), MIGRATIONS_DIR, FUNCTIONS_DIR)).toEqual({ applied: [], version: latest, functions: functionFileNames() });
  });

  it('records checksums the service really verifies: an edited migration stops both', async () => {
    const database = await freshDatabase();
    const dir = copyOfMigrations();
    expect((await runInitSh(database, dir)).code).toBe(0);
    const first = migrationFiles(dir)[0]!;
    appendFileSync(join(dir, first), '\n-- edited after it was applied\n');
    await expect(migrate(pool(database), dir, FUNCTIONS_DIR)).rejects.toThrow(`${first} was edited`);
    const again = await runInitSh(database, dir);
    expect(again.code).not.toBe(0);
    expect(again.output).toContain(`${first} was edited after it was applied`);
  });

  it('run again, or after the service, applies only what is new (MIGRATIONS_DIR override)', async () => {
    const database = await freshDatabase();
    await migrate(pool(database), MIGRATIONS_DIR, FUNCTIONS_DIR);
    const dir = copyOfMigrations();
    const again = await runInitSh(database, dir);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('0 migration(s) applied');

    const next = `${String(migrationFiles(dir).length + 1).padStart(3, '0')}.do.add-notes.sql`;
    writeFileSync(join(dir, next), 'CREATE TABLE attendance.notes (id int PRIMARY KEY, body text NOT NULL);\n');
    const withNew = await runInitSh(database, dir);
    expect(withNew.code, withNew.output).toBe(0);
    expect(withNew.output).toContain(`applying ${next}`);
    expect(withNew.output).toContain('1 migration(s) applied');
    expect(await migrate(pool(database), dir, FUNCTIONS_DIR)).toMatchObject({ applied: [] });
  });

  it('a failing migration stops with psql\'s error and leaves nothing of itself behind', async () => {
    const database = await freshDatabase();
    const dir = copyOfMigrations();
    const broken = `${String(migrationFiles(dir).length + 1).padStart(3, '0')}.do.broken.sql`;
    writeFileSync(join(dir, broken), 'CREATE TABLE attendance.notes (id int);\nINSERT INTO attendance.no_such_table VALUES (1);\n');
    const run = await runInitSh(database, dir);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('relation "attendance.no_such_table" does not exist');
    const db = pool(database);
    const { rows } = await db.query<{ present: boolean }>(`SELECT to_regclass('attendance.notes') IS NOT NULL AS present`);
    expect(rows[0]!.present).toBe(false);
    expect((await tracked(db)).map((row) => (row as { version: number }).version)).toEqual([
      0,
      ...migrationFiles().map((file) => Number(file.split('.')[0])),
    ]);
  });

  it('names an empty or missing migrations folder', async () => {
    const database = await freshDatabase();
    const empty = mkdtempSync(join(tmpdir(), 'asistencia-init-empty-'));
    folders.push(empty);
    const none = await runInitSh(database, empty);
    expect(none.code).not.toBe(0);
    expect(none.output).toContain(`no NNN.do.name.sql files in ${empty}`);
    const missing = await runInitSh(database, '/nonexistent/migrations');
    expect(missing.output).toContain('/nonexistent/migrations does not exist');
  });

  it('leaves each function as its file says, and an edited file takes effect when it runs again, with no new migration', async () => {
    const database = await freshDatabase();
    const functions = copyOfFunctions();
    expect((await runInitSh(database, undefined, functions)).code).toBe(0);
    const db = pool(database);
    for (const fn of definedFunctions(functions)) expect(await bodiesOf(db, fn.schema, fn.name), fn.file).toEqual([fn.body]);
    const status = () =>
      db.query<{ status: string }>(`SELECT attendance.computed_status(2, 2, now() + interval '1 minute', now()) AS status`).then(({ rows }) => rows[0]!.status);
    expect(await status()).toBe('late');

    const file = join(functions, 'attendance.computed_status.sql');
    const sql = readFileSync(file, 'utf8');
    expect(sql).toContain(`WHEN first_confirmed_at > late_from THEN 'late'`);
    writeFileSync(file, sql.replace(`WHEN first_confirmed_at > late_from THEN 'late'`, `WHEN false THEN 'late'`));
    const again = await runInitSh(database, undefined, functions);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('0 migration(s) applied');
    expect(await status()).toBe('present');
  });

  it('a failing function file stops with psql\'s error and leaves no function file of that run behind', async () => {
    const database = await freshDatabase();
    const functions = copyOfFunctions();
    const file = join(functions, 'attendance.computed_status.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`THEN 'late'`, `THEN 'tarde'`));
    writeFileSync(join(functions, 'zz.broken.sql'), 'CREATE OR REPLACE FUNCTION attendance.broken() RETURNS int LANGUAGE sql AS $$ SELECT nothing FROM attendance.no_such_table $$;\n');
    const run = await runInitSh(database, undefined, functions);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('relation "attendance.no_such_table" does not exist');
    const { rows } = await pool(database).query<{ status: string }>(
      `SELECT attendance.computed_status(2, 2, now() + interval '1 minute', now()) AS status`,
    );
    expect(rows).toEqual([{ status: 'late' }]);
  });

  it('names a missing functions folder', async () => {
    const database = await freshDatabase();
    const run = await runInitSh(database, undefined, '/nonexistent/functions');
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('the functions folder /nonexistent/functions does not exist');
  });
});
