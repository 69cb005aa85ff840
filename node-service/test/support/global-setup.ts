import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { createPgDatabase } from '../../src/shared/storage/pg-database.js';
import { migrate } from '../../src/shared/storage/migrations.js';
import { databaseUrl, deleteKeys, POSTGRES_ADMIN_URL, VALKEY_URL } from './environment.js';
import { buildServiceForRun } from './service-build.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../database/migrations', import.meta.url));
export const FUNCTIONS_DIR = fileURLToPath(new URL('../../../database/functions', import.meta.url));

/**
 * One run, fresh state: a migrated template database that each test file copies, a Valkey key prefix of
 * its own, and the service compiled for the files that start it as its own process. All are removed at the
 * end. An unreachable PostgreSQL or Valkey fails the run, by name.
 */
export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const templateDatabase = `asistencia_t_${runId}_template`;
  const valkeyPrefix = `asistencia-test:${runId}:`;

  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect().catch((error: Error) => {
    throw new Error(`PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${error.message}): integration tests need it`);
  });
  const redis = new Redis(VALKEY_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await redis.connect().catch((error: Error) => {
    throw new Error(`Valkey/Redis is not reachable at ${VALKEY_URL} (${error.message}): integration tests need it`);
  });

  await admin.query(`CREATE DATABASE ${templateDatabase}`);
  const template = createPgDatabase({ url: databaseUrl(templateDatabase), poolSize: 1 });
  try {
    await migrate(template, MIGRATIONS_DIR, FUNCTIONS_DIR);
  } finally {
    await template.close();
  }

  const serviceBuild = await buildServiceForRun(runId);

  project.provide('runId', runId);
  project.provide('serviceBuild', serviceBuild.dir);
  project.provide('templateDatabase', templateDatabase);
  project.provide('valkeyPrefix', valkeyPrefix);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`asistencia_t_${runId}%`],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.end();
    await deleteKeys(redis, valkeyPrefix);
    await redis.quit();
    await serviceBuild.remove();
  };
}
