import { basename, join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import Postgrator from 'postgrator';
import { unavailableReason } from '../request-deadline.js';
import { locks, takeLock } from './locks.js';
import type { SqlDatabase } from './sql.js';

/**
 * Applies `database/migrations/NNN.do.name.sql` with postgrator (tracking table with MD5 checksums), then
 * runs every file of `database/functions/` (`CREATE OR REPLACE FUNCTION`, in name order), all in one
 * transaction under an advisory lock: two instances starting together apply each migration exactly once,
 * a failed run leaves nothing half-applied, and the functions are always the files' text, whatever the
 * migrations defined before. database/init.sh does the same in the PostgreSQL container.
 */

export const MIGRATIONS_TABLE = 'public.asistencia_migrations';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationReport {
  applied: string[];
  version: number;
  /** The function files run after the migrations, in order. */
  functions: string[];
}

/**
 * `functionsDir` null: the numbered migrations only (a test that stops the history part-way, where the
 * functions' types and tables may not exist yet).
 */
export async function migrate(db: SqlDatabase, migrationsDir: string, functionsDir: string | null): Promise<MigrationReport> {
  const files = migrationFiles(migrationsDir);
  if (files.length === 0) throw new MigrationError(`No migrations found in ${migrationsDir}`);
  const functions = functionsDir === null ? [] : functionFiles(functionsDir);
  let running: string | undefined;
  try {
    return await db.transaction(async (tx) => {
      await takeLock(tx, locks.migrations);
      const postgrator = new Postgrator({
        migrationPattern: join(migrationsDir, '*.do.*.sql'),
        driver: 'pg',
        schemaTable: MIGRATIONS_TABLE,
        validateChecksums: true,
        execQuery: async (query) => ({ rows: (await tx.query(query)).rows }),
        execSqlScript: (script) => tx.exec(script),
      });
      postgrator.on('migration-started', (migration: { filename: string }) => {
        running = basename(migration.filename);
      });
      const applied = await postgrator.migrate();
      for (const file of functions) {
        running = `function file ${file.name}`;
        await tx.exec(file.sql);
      }
      return {
        applied: applied.map((m) => basename(m.filename)),
        version: Math.max(...files.map((f) => f.version)),
        functions: functions.map((f) => f.name),
      };
    });
  } catch (error) {
    throw explain(error, files, running);
  }
}

/** True when every migration file is recorded as applied (for readiness). */
export async function migrationsApplied(db: SqlDatabase, migrationsDir: string): Promise<boolean> {
  const files = migrationFiles(migrationsDir);
  const exists = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [MIGRATIONS_TABLE]);
  if (!exists.rows[0]?.present) return false;
  const result = await db.query<{ version: number }>(`SELECT version::int AS version FROM ${MIGRATIONS_TABLE}`);
  const applied = new Set(result.rows.map((row) => Number(row.version)));
  return files.every((file) => applied.has(file.version));
}

interface MigrationFile {
  version: number;
  filename: string;
}

function migrationFiles(dir: string): MigrationFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new MigrationError(`Cannot read the migrations folder ${dir}`);
  }
  return names
    .filter((name) => /^\d+\.do\.[\w-]+\.sql$/.test(name))
    .map((name) => ({ version: Number(name.split('.')[0]), filename: name }))
    .sort((a, b) => a.version - b.version);
}

interface FunctionFile {
  name: string;
  sql: string;
}

/** The `*.sql` files of the functions folder, in name order (byte order, as init.sh sorts them). */
function functionFiles(dir: string): FunctionFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new MigrationError(`Cannot read the functions folder ${dir}`);
  }
  return names
    .filter((name) => /^[\w.-]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

function explain(error: unknown, files: MigrationFile[], running: string | undefined): Error {
  // An outage keeps why (what PostgreSQL or the pool said): the operator reads more than "not available".
  const reason = unavailableReason(error);
  const message = `${error instanceof Error ? error.message : String(error)}${reason ? ` (${reason})` : ''}`;
  const edited = /MD5 checksum failed for migration \[(\d+)\]/.exec(message);
  if (edited) {
    const file = files.find((f) => f.version === Number(edited[1]));
    const name = file ? basename(file.filename) : `version ${edited[1]}`;
    return new MigrationError(
      `Migration ${name} was edited after it was applied (checksum mismatch): restore it and add a new numbered migration instead`,
    );
  }
  const where = running ? ` in ${running}` : '';
  return new MigrationError(`Migration failed${where}: ${message}`);
}
