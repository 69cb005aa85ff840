import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { startOwnValkey, type OwnValkey } from '../support/valkey-server.js';
import { openSocket } from '../support/ws-client.js';

/**
 * A revoked token stays revoked whatever Valkey loses: the list's truth is in PostgreSQL. Against a
 * redis-server of this test's own, flushed and restarted empty. Checked once with the list kept in Valkey
 * (as before migration 005): both tests fail.
 */
const INTERNAL = 'internal-credential-for-tests-0123456789';
let valkey: OwnValkey;
let service: RunningService;

beforeAll(async () => {
  valkey = await startOwnValkey();
  service = await startService({ env: { INTERNAL_API_TOKEN: INTERNAL, VALKEY_URL: valkey.url } });
});
afterAll(async () => {
  await service?.stop();
  await valkey?.stop();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function revokedToken(): Promise<string> {
  const exp = nowSeconds() + 300;
  const jti = `gone-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const response = await fetch(`${service.baseUrl}/asistencia/internal/revocations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTERNAL}`, 'content-type': 'application/json' },
    body: JSON.stringify({ jti, exp }),
  });
  expect(response.status).toBe(204);
  return portalToken(users.teacher, { jti, exp });
}

async function refusals(token: string) {
  const me = await fetch(`${service.baseUrl}/asistencia/api/me`, { headers: { authorization: `Bearer ${token}` } });
  const socket = await openSocket(`${service.baseUrl.replace('http', 'ws')}/asistencia/ws`);
  socket.send({ type: 'auth', token });
  return { http: me.status, code: ((await me.json()) as { error: { code: string } }).error.code, socket: await socket.closed };
}

const refused = { http: 401, code: 'AUTH_TOKEN_REVOKED', socket: { code: 4401, reason: 'AUTH_TOKEN_REVOKED' } };

describe('revocations survive Valkey', () => {
  it('after FLUSHALL', async () => {
    const token = await revokedToken();
    expect(await refusals(token)).toEqual(refused);
    await valkey.client().flushall();
    expect(await refusals(token)).toEqual(refused);
  });

  it('after Valkey restarts with no saved data', async () => {
    const token = await revokedToken();
    await valkey.kill();
    await valkey.start();
    expect(await refusals(token)).toEqual(refused);
  });
});
