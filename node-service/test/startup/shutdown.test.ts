import WebSocket from 'ws';
import { afterAll, expect, test } from 'vitest';
import { createTestDatabase } from '../support/databases.js';
import { TEST_JWT_SECRET } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { cleanUp, launchReady, stopAndTime } from './operator.js';

// A deploy or restart while projectors are connected: they are told to reconnect, and the process exits.

const database = await createTestDatabase();
afterAll(async () => {
  await cleanUp();
  await database.drop();
});

/** A signed-in WebSocket on /asistencia/ws, and the close code it will see. */
async function signedInSocket(baseUrl: string) {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/asistencia/ws`);
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const reply = new Promise<{ type: string }>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
  socket.send(JSON.stringify({ type: 'auth', token: await portalToken(users.teacher) }));
  expect((await reply).type).toBe('auth.ok');
  return { closed };
}

test('SIGTERM with a WebSocket connected: the client sees 1012 and the process exits 0 within 5 s', async () => {
  const service = await launchReady({ DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET });
  const socket = await signedInSocket(service.baseUrl);

  const { code, ms } = await stopAndTime(service, 'SIGTERM');
  expect(await socket.closed).toBe(1012);
  expect(code).toBe(0);
  expect(ms).toBeLessThan(5000);
}, 45_000);
