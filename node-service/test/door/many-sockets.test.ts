import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenIn, request } from '../support/apache.js';
import { openCrowd, type SocketCrowd } from '../support/socket-crowd.js';
import { portalToken } from '../support/tokens.js';
import { startDoor, type Door } from './door.js';

/**
 * A campus at 08:00 through the real door (Apache's event MPM, the portal in php-fpm, node-service):
 * 2,000 authenticated WebSockets held open and pinging, while people keep signing in on the portal and
 * using the API. Every request must be answered, and answered right; how fast is the benchmark's
 * business (`npm run bench door`, docs/benchmarks.md), not this test's.
 *
 * Apache 2.4 holds one worker thread per tunnel, so this is a test of apache-config/mpm-event.conf: with
 * the door sized as before (MaxRequestWorkers 400) the sockets beyond 400 never open and HTTP starves;
 * checked once by hand.
 */
const SOCKETS = 2_000;
const REQUESTS = 150;

let door: Door;
let crowd: SocketCrowd | undefined;

beforeAll(async () => {
  door = await startDoor({
    // One classroom's NAT is one address; here the whole crowd is (127.0.0.1 behind Apache). Settings
    // that node-service may not know yet are ignored.
    env: { WS_MAX_PER_ADDRESS: String(SOCKETS + 100), RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_PUBLIC_PER_MINUTE: '100000' },
  });
}, 60_000);

afterAll(async () => {
  await crowd?.close();
  await door?.stop();
}, 60_000);

const student = (index: number) => ({ sub: `door-student-${index}`, role: 'student', name: `Estudiante ${index}` });

/** Runs `task` `count` times, `concurrency` at once; returns every result. */
async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < count; index = next++) results[index] = await task(index);
    }),
  );
  return results;
}

describe(`the door with ${SOCKETS} WebSockets open`, () => {
  it('holds every socket open and authenticated at node-service', async () => {
    crowd = await openCrowd({
      url: `${door.apache.httpUrl.replace('http', 'ws')}/asistencia/ws`,
      count: SOCKETS,
      token: (index) => portalToken(student(index)),
      concurrency: 100,
    });
    expect(crowd.open).toBe(SOCKETS);
    expect(door.service.app.gateway.size).toBe(SOCKETS);
  }, 60_000);

  it('keeps answering the portal\'s sign-in page, node-service\'s API and every ping meanwhile', async () => {
    expect(crowd?.open).toBe(SOCKETS);
    crowd!.resetPongs();
    crowd!.startPinging(2_000);
    const token = await portalToken(student(0));
    const answers = await pool(REQUESTS, 10, async (index) => {
      if (index % 3 === 0) {
        const page = await request(`${door.apache.httpUrl}/login.php`);
        return { what: 'login', ok: page.status === 200 && csrfTokenIn(page.body).length > 0 };
      }
      if (index % 3 === 1) {
        const health = await request(`${door.apache.httpUrl}/asistencia/health`);
        return { what: 'health', ok: health.status === 200 && JSON.parse(health.body).status === 'ok' };
      }
      const me = await request(`${door.apache.httpUrl}/asistencia/api/me`, { headers: { authorization: `Bearer ${token}` } });
      return { what: 'me', ok: me.status === 200 && JSON.parse(me.body).id === 'door-student-0' };
    });
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    expect(answers).toHaveLength(REQUESTS);

    // Every socket had time to ping once (period 2 s) and hear back.
    const deadline = Date.now() + 10_000;
    while (crowd!.answeredSockets < SOCKETS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(crowd!.answeredSockets).toBe(SOCKETS);
    expect(crowd!.dropped).toEqual([]);
    expect(door.service.app.gateway.size).toBe(SOCKETS);
  }, 60_000);
});
