import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { SERVICE_ROOT } from '../support/service.js';
import { serviceEntry } from '../support/service-build.js';

const run = promisify(execFile);
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
});
afterAll(() => database?.drop());

/** `npm run migrate` as an operator runs it, against a fresh database. */
describe('npm run migrate', () => {
  const migrateCommand = (env: Record<string, string>) =>
    run(process.execPath, serviceEntry('cli/migrate'), { cwd: SERVICE_ROOT, env: { PATH: process.env.PATH ?? '', ...env } });

  it('applies every migration once, then finds nothing to apply', async () => {
    const first = await migrateCommand({ DATABASE_URL: database.url });
    expect(first.stdout).toMatch(/001\.do\.initial-schema\.sql/);
    const second = await migrateCommand({ DATABASE_URL: database.url });
    expect(second.stdout).toMatch(/nothing to apply/);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM public.asistencia_migrations WHERE version > 0`);
    await client.end();
    expect(rows[0].n).toBeGreaterThanOrEqual(2);
  });

  it('fails with one clear line on a bad setting', async () => {
    await expect(migrateCommand({ DATABASE_URL: 'mysql://nope' })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^Invalid configuration: DATABASE_URL: .*\n$/),
    });
  });
});
