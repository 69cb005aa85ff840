import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { VALKEY_URL } from '../support/environment.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { openSocket, type TestSocket } from '../support/ws-client.js';

/**
 * A projector socket dropped at any moment of `projector.subscribe` (while the session is read, while its
 * channel opens, just after) leaves nothing behind: no rotation timer in the hub, no code minted in Valkey,
 * no pub/sub channel subscribed. Real PostgreSQL and Valkey. Checked once without the hub's "dropped while
 * the session was read" and "left while the channel opened" checks and the gateway's "a cleanup registered
 * after the close runs at once" (the three overlap; with all removed, a timer is left): this test fails.
 */
const PERIOD = 1000;
let service: RunningService;
let valkey: Redis;

beforeAll(async () => {
  service = await startService();
  valkey = new Redis(VALKEY_URL);
});
afterAll(async () => {
  valkey?.disconnect();
  await service?.stop();
});

const prefix = () => service.config.valkey.keyPrefix;
const hub = () => service.app.projectorHub;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runningSession(): Promise<string> {
  const teacher = apiAs(service.baseUrl, users.teacher);
  const { body } = await teacher.post('/api/sessions', draftSession({ rotationPeriodMs: PERIOD }));
  await teacher.post(`/api/sessions/${body.id}/open`);
  await teacher.post(`/api/sessions/${body.id}/rounds`);
  expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
  return body.id as string;
}

async function projector(): Promise<TestSocket> {
  const socket = await openSocket(`${service.baseUrl.replace('http', 'ws')}/asistencia/ws`);
  socket.send({ type: 'auth', token: await portalToken(users.teacher) });
  await socket.next('auth.ok');
  return socket;
}

const subscribedChannels = async (sessionId: string) => valkey.pubsub('CHANNELS', `${prefix()}events:session:${sessionId}`);
const mintedCodes = async (sessionId: string) => (await valkey.keys(`${prefix()}qr:slot:${sessionId}:*`)).sort();

describe('a projector dropped during projector.subscribe', () => {
  it('is served while it stays (the checks below see a live projection)', async () => {
    const id = await runningSession();
    const socket = await projector();
    socket.send({ type: 'projector.subscribe', sessionId: id });
    await socket.next('qr');
    expect(await subscribedChannels(id)).toHaveLength(1);
    expect(hub().plannedRotations).toBe(1);
    socket.close();
    await socket.closed;
    await sleep(100);
    expect(hub().plannedRotations).toBe(0);
    expect(await subscribedChannels(id)).toEqual([]);
  });

  it('leaves no timer, no code being minted and no channel, whenever it drops', async () => {
    const id = await runningSession();
    // Dropped at once, or a few milliseconds in: before, during and after the session read and channel open.
    const delays = [0, 0, 0, 1, 2, 3, 5, 8, 13, 21, 34, 55];
    await Promise.all(
      delays.map(async (delayMs) => {
        const socket = await projector();
        socket.send({ type: 'projector.subscribe', sessionId: id });
        if (delayMs > 0) await sleep(delayMs);
        socket.socket.terminate();
        await socket.closed;
      }),
    );
    // Let whatever was in flight settle: at most one rotation already under way.
    await sleep(2 * PERIOD);
    expect(hub().plannedRotations).toBe(0);
    expect(hub().projectedSessions).toBe(0);
    expect(await subscribedChannels(id)).toEqual([]);
    // Codes minted before may expire; none may appear.
    const minted = await mintedCodes(id);
    await sleep(3 * PERIOD);
    expect((await mintedCodes(id)).filter((key) => !minted.includes(key))).toEqual([]);
  });
});
