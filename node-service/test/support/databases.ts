import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { databaseUrl, withAdmin } from './environment.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file: a copy of the migrated template, or an empty one. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `asistencia_t_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : inject('templateDatabase');
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A key prefix of its own for one test file, inside the run's prefix (removed at the end of the run). */
export function testKeyPrefix(): string {
  return `${inject('valkeyPrefix')}${randomBytes(4).toString('hex')}:`;
}
