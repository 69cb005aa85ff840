import { appendFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrate } from '../../src/shared/storage/migrations.js';
import { createPgDatabase } from '../../src/shared/storage/pg-database.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { FUNCTIONS_DIR, MIGRATIONS_DIR } from '../support/global-setup.js';
import { cleanUp, exitOf, launch, tempDir, type Launched } from './operator.js';

// Start-up that must not happen: the process exits 1 with one line on stderr that tells the operator why.

afterAll(cleanUp);

/** The one line the refused start-up printed, after checking it exited 1 and printed only that. */
async function refusalLine(service: Launched): Promise<string> {
  expect(await exitOf(service)).toBe(1);
  const lines = service.stderr().trimEnd().split('\n');
  expect(lines, service.output()).toHaveLength(1);
  return lines[0]!;
}

describe('a bad setting stops start-up with one line naming it', () => {
  test.each<{ setting: string; env: Record<string, string> }>([
    { setting: 'PORT', env: { PORT: 'abc' } },
    { setting: 'JWT_SECRET_FILE', env: { JWT_SECRET_FILE: '/nonexistent' } },
    { setting: 'DATABASE_URL', env: { DATABASE_URL: 'mysql://x' } },
    { setting: 'JWT_SECRET', env: { NODE_ENV: 'production' } },
  ])('$setting ($env)', async ({ setting, env }) => {
    const service = await launch({ DATA_DIR: tempDir('data'), ...env });
    const line = await refusalLine(service);
    expect(line).toContain(setting);
    expect(line).toMatch(/^Invalid configuration: /);
  });
});

describe('an applied migration that was edited', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(() => database?.drop());

  test('stops start-up with one line naming the file', async () => {
    const migrationsDir = tempDir('migrations');
    cpSync(MIGRATIONS_DIR, migrationsDir, { recursive: true });
    const { url } = database;
    const db = createPgDatabase({ url, poolSize: 1 });
    try {
      await migrate(db, migrationsDir, FUNCTIONS_DIR);
    } finally {
      await db.close();
    }
    appendFileSync(join(migrationsDir, '001.do.initial-schema.sql'), '\n-- a quick fix in production\n');

    const service = await launch({ DATABASE_URL: url, MIGRATIONS_DIR: migrationsDir });
    expect(await refusalLine(service)).toContain('001.do.initial-schema.sql was edited');
  });
});
