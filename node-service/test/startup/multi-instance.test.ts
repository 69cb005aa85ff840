import { afterAll, expect, test } from 'vitest';
import { MIGRATIONS_TABLE } from '../../src/shared/storage/migrations.js';
import { createPgDatabase } from '../../src/shared/storage/pg-database.js';
import { createTestDatabase, testKeyPrefix } from '../support/databases.js';
import { VALKEY_URL } from '../support/environment.js';
import { migrationFiles, migrationVersions } from '../storage/migration-files.js';
import { appliedMigrations, cleanUp, launchReady, stopAndTime } from './operator.js';

// Two instances behind Apache, started at the same moment against one empty database and one Valkey.

const database = await createTestDatabase({ migrated: false });
afterAll(async () => {
  await cleanUp();
  await database.drop();
});

test('two instances starting together both become ready, and each migration is applied exactly once', async () => {
  const env = { DATABASE_URL: database.url, VALKEY_URL, VALKEY_KEY_PREFIX: testKeyPrefix() };
  const instances = await Promise.all([launchReady(env), launchReady(env)]);

  const db = createPgDatabase({ url: database.url, poolSize: 1 });
  try {
    const { rows } = await db.query<{ version: number; times: number }>(
      `SELECT version::int AS version, count(*)::int AS times FROM ${MIGRATIONS_TABLE} WHERE version > 0 GROUP BY version ORDER BY version`,
    );
    expect(rows).toEqual(migrationVersions().map((version) => ({ version, times: 1 })));
  } finally {
    await db.close();
  }
  expect(instances.flatMap((instance) => appliedMigrations(instance) as string[])).toEqual(migrationFiles());

  for (const instance of instances) {
    const opened = instance.logs().find((line) => line['msg'] === 'stores opened');
    expect(opened).toMatchObject({ database: 'PostgreSQL (DATABASE_URL)', keyValue: 'Valkey (VALKEY_URL)' });
    expect((await stopAndTime(instance, 'SIGTERM')).code).toBe(0);
  }
}, 60_000);
