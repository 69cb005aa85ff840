import { afterAll, expect, test } from 'vitest';
import { createTestDatabase } from '../support/databases.js';
import { waitForReady } from '../support/spawn.js';
import { cleanUp, launch } from './operator.js';

// Valkey unreachable at start: the process still starts and says what is missing, instead of dying.

const database = await createTestDatabase();
afterAll(async () => {
  await cleanUp();
  await database.drop();
});

test('with VALKEY_URL on a closed port, /health is 200 and /ready is 503 naming valkey', async () => {
  const service = await launch({ DATABASE_URL: database.url, VALKEY_URL: 'redis://127.0.0.1:1' });
  await waitForReady(`${service.baseUrl}/asistencia/health`, 30_000, service.output);

  const response = await fetch(`${service.baseUrl}/asistencia/ready`);
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({
    status: 'not_ready',
    parts: { postgres: 'ok', valkey: 'failing', migrations: 'ok', clock: 'ok' },
    failing: ['valkey'],
    degraded: [],
  });
}, 45_000);
