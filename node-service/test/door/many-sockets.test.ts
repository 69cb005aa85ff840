import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenIn, request } from '../support/apache.js';
import { mapLimit } from '../support/map-limit.js';
import { openCrowd, type SocketCrowd } from '../support/socket-crowd.js';
import { challengeProof, type Phone } from '../support/phone.js';
import { portalToken, users } from '../support/tokens.js';
import { enrolledPhone, liveSession } from '../scan/support.js';
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
let phone: Phone;
let session: Awaited<ReturnType<typeof liveSession>> | undefined;

beforeAll(async () => {
  door = await startDoor({
    // This test proves the production size of the door (apache-config/mpm-event.conf), not the tests' one.
    mpm: 'production',
    // One classroom's NAT is one address; here the whole crowd is (127.0.0.1 behind Apache). Settings
    // that node-service may not know yet are ignored.
    env: {
      WS_MAX_PER_ADDRESS: String(SOCKETS + 100),
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
      SCAN_REQUESTS_PER_PHONE_PER_MINUTE: '10000',
    },
  });
  // A student's phone and a class with a code that lives long enough for the whole test (30 s + 30 s).
  phone = await enrolledPhone(door.service, users.student);
  session = await liveSession(door.service, { rotationPeriodMs: 30_000, graceMs: 30_000 });
}, 60_000);

afterAll(async () => {
  session?.close();
  await crowd?.close();
  await door?.stop();
}, 60_000);

const student = (index: number) => ({ sub: `door-student-${index}`, role: 'student', name: `Estudiante ${index}` });

describe(`the door with ${SOCKETS} WebSockets open`, () => {
  it('holds every socket open and authenticated at node-service', async () => {
    crowd = await openCrowd({
      url: `${door.apache.httpUrl.replace('http', 'ws')}/asistencia/ws`,
      count: SOCKETS,
      token: (index) => portalToken(student(index)),
      concurrency: 100,
    });
    expect(crowd.open).toBe(SOCKETS);
    expect(door.service.app.gateway.size).toBe(SOCKETS + 1); // and the class's projector
  }, 60_000);

  it('keeps answering the portal\'s sign-in page, node-service\'s API, scan challenges and every ping meanwhile', async () => {
    expect(crowd?.open).toBe(SOCKETS);
    crowd!.resetPongs();
    crowd!.startPinging(2_000);
    const token = await portalToken(student(0));
    const qr = (await session!.screen()).token;
    const answers = await mapLimit(Array.from({ length: REQUESTS }, (_, i) => i), 10, async (index) => {
      if (index % 4 === 3) {
        const body = JSON.stringify({ token: qr, phone: challengeProof(phone.phoneKey, qr) });
        const offer = await request(`${door.apache.httpUrl}/asistencia/api/scan/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        return { what: 'scan challenge', ok: offer.status === 200 && typeof JSON.parse(offer.body).challengeId === 'string' };
      }
      if (index % 4 === 0) {
        const page = await request(`${door.apache.httpUrl}/login.php`);
        return { what: 'login', ok: page.status === 200 && csrfTokenIn(page.body).length > 0 };
      }
      if (index % 4 === 1) {
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
    expect(door.service.app.gateway.size).toBe(SOCKETS + 1); // and the class's projector
  }, 60_000);
});
