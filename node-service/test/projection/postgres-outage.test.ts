import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startService, type RunningService } from '../support/service.js';
import { startTcpSwitch, type TcpSwitch } from '../support/tcp-switch.js';
import { portalToken, users } from '../support/tokens.js';
import { openSocket, type TestSocket } from '../support/ws-client.js';

/**
 * A projector that subscribes while PostgreSQL is unreachable is refused by name (`inReplyTo`), keeps its
 * socket, and gets codes once PostgreSQL answers again and it asks again, as the projector page does.
 * Real PostgreSQL and Valkey; the service reaches PostgreSQL through a forwarder the test cuts. Checked
 * once with the gateway's unnamed INTERNAL_ERROR for an unexpected failure (as before): the refusal
 * carries no `inReplyTo` and the test fails.
 */
const PERIOD = 1000;
let database: TestDatabase;
let link: TcpSwitch;
let service: RunningService;

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  link = await startTcpSwitch({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${link.port}`;
  service = await startService({ database: { ...database, url: url.toString() } });
});
afterAll(async () => {
  link?.restore();
  await service?.stop();
  await link?.close();
  await database?.drop();
});

async function projector(): Promise<TestSocket> {
  const socket = await openSocket(`${service.baseUrl.replace('http', 'ws')}/asistencia/ws`);
  socket.send({ type: 'auth', token: await portalToken(users.teacher) });
  await socket.next('auth.ok');
  return socket;
}

describe('PostgreSQL unreachable while a projector subscribes', () => {
  it('refuses the subscribe by name, and gives codes on the same socket once PostgreSQL is back', async () => {
    const teacher = apiAs(service.baseUrl, users.teacher);
    const { body } = await teacher.post('/api/sessions', draftSession({ rotationPeriodMs: PERIOD }));
    await teacher.post(`/api/sessions/${body.id}/open`);
    await teacher.post(`/api/sessions/${body.id}/rounds`);
    const socket = await projector();

    await link.cut();
    socket.send({ type: 'projector.subscribe', sessionId: body.id });
    const refusal = await socket.next('error', 15_000);
    // PostgreSQL out of reach is the service's 503 code, not an unexpected failure.
    expect(refusal).toMatchObject({ inReplyTo: 'projector.subscribe', code: 'SERVICE_UNAVAILABLE' });
    expect(service.app.projectorHub.projectedSessions).toBe(0);
    expect(service.app.projectorHub.plannedRotations).toBe(0);

    // A socket opened meanwhile cannot be authenticated (the revocation list is in PostgreSQL): it is told
    // so at once and closed with 1013, to reconnect later, rather than left waiting for its auth timeout.
    const late = await openSocket(`${service.baseUrl.replace('http', 'ws')}/asistencia/ws`);
    late.send({ type: 'auth', token: await portalToken(users.teacher) });
    expect(await late.next('error', 15_000)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', inReplyTo: 'auth' });
    expect(await late.closed).toEqual({ code: 1013, reason: 'TRY_AGAIN_LATER' });

    await link.restore();
    const restoredAt = Date.now();
    // As the page does: ask again after each refusal, on the same socket.
    let frame;
    socket.send({ type: 'projector.subscribe', sessionId: body.id });
    while (!frame) {
      const answer = await socket.next(undefined, 15_000);
      if (answer.type === 'qr') frame = answer;
      else if (answer.type === 'error' && answer.inReplyTo === 'projector.subscribe') {
        await new Promise((resolve) => setTimeout(resolve, 300));
        socket.send({ type: 'projector.subscribe', sessionId: body.id });
      }
    }
    expect(Date.now() - restoredAt).toBeLessThan(5000);
    expect(frame.sessionId).toBe(body.id);
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    socket.close();
  }, 60_000);
});
