import { readdirSync } from 'node:fs';
import { MIGRATIONS_DIR } from '../support/global-setup.js';

/** The `NNN.do.name.sql` files of a migrations folder, in order: what a first run must apply. */
export function migrationFiles(dir: string = MIGRATIONS_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => /^\d+\.do\.[\w-]+\.sql$/.test(name))
    .sort();
}

/** The version of each migration file, as the tracking table records it. */
export function migrationVersions(dir: string = MIGRATIONS_DIR): number[] {
  return migrationFiles(dir).map((name) => Number(name.split('.')[0]));
}

/** A name for a migration after every existing one, e.g. `003.do.add-notes.sql`. */
export function nextMigrationName(dir: string, label: string): string {
  const next = Math.max(0, ...migrationVersions(dir)) + 1;
  return `${String(next).padStart(3, '0')}.do.${label}.sql`;
}
