import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrationFiles } from '../storage/migration-files.js';
import { appliedMigrations, cleanUp, launchReady, stopAndTime, tempDir, type Launched } from './operator.js';

// `PORT=… DATA_DIR=… node src/main.ts` and nothing else: embedded PGlite and the in-process store.
// PGlite is PostgreSQL compiled to WebAssembly: a first start (initdb, then every migration) took 7 s alone
// on a slow 2-core machine and over 30 s there beside three other test files, so it is given 90 s.
const FIRST_START_MS = 90_000;

describe('started with no environment but PORT and DATA_DIR', () => {
  const dataDir = tempDir('data');
  let first: Launched;

  beforeAll(async () => {
    first = await launchReady({ DATA_DIR: dataDir }, FIRST_START_MS);
  }, FIRST_START_MS + 15_000);
  afterAll(cleanUp);

  test('is ready, with every part answering', async () => {
    const response = await fetch(`${first.baseUrl}/asistencia/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      parts: { postgres: 'ok', valkey: 'ok', migrations: 'ok', clock: 'ok' },
      failing: [],
      degraded: [],
    });
  });

  test('says it runs the embedded database in DATA_DIR and a single-instance store', () => {
    const opened = first.logs().find((line) => line['msg'] === 'stores opened');
    expect(opened?.['database']).toBe(`embedded PGlite in ${dataDir}`);
    expect(opened?.['keyValue']).toMatch(/single instance only, set VALKEY_URL/);
    expect(appliedMigrations(first)).toEqual(migrationFiles());
  });

  test('SIGINT stops it with exit code 0 in under 5 s', async () => {
    const { code, ms } = await stopAndTime(first, 'SIGINT');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
  });

  test('restarted on the same DATA_DIR, it is ready again without re-applying the migrations', async () => {
    await first.exited;
    const second = await launchReady({ DATA_DIR: dataDir }, FIRST_START_MS);
    expect(appliedMigrations(second)).toEqual([]);
    expect((await stopAndTime(second, 'SIGINT')).code).toBe(0);
  }, FIRST_START_MS + 15_000);
});
