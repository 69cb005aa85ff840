import { basename, join } from 'node:path';
import { readdirSync } from 'node:fs';
import Postgrator from 'postgrator';
import type { SqlDatabase } from './sql.js';

/**
 * Applies `database/migrations/NNN.do.name.sql` with postgrator (tracking table with MD5 checksums), all in
 * one transaction under an advisory lock: two instances starting together apply each migration exactly
 * once, and a failed run leaves nothing half-applied.
 */

export const MIGRATIONS_TABLE = 'public.asistencia_migrations';
const LOCK_KEY = 'asistencia.migrations';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationReport {
  applied: string[];
  version: number;
}

export async function migrate(db: SqlDatabase, migrationsDir: string): Promise<MigrationReport> {
  const files = migrationFiles(migrationsDir);
  if (files.length === 0) throw new MigrationError(`No migrations found in ${migrationsDir}`);
  let running: string | undefined;
  try {
    return await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK_KEY]);
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
      return { applied: applied.map((m) => basename(m.filename)), version: Math.max(...files.map((f) => f.version)) };
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

function explain(error: unknown, files: MigrationFile[], running: string | undefined): Error {
  const message = error instanceof Error ? error.message : String(error);
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
