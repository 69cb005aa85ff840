import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/apache.js';
import { openSocket } from '../support/ws-client.js';
import { call, signIn, startDoor, type Door } from './door.js';

/**
 * A person signs in on the PHP form, the portal hands the page a JWT, and every Asistencia door (API,
 * /minodo-api/, WebSocket, over HTTP and HTTPS) accepts it as the same identity. Nothing is mocked:
 * Apache and php-fpm in front of node-service, which itself asks the portal for courses.
 */
let door: Door;

beforeAll(async () => {
  door = await startDoor();
});
afterAll(() => door?.stop());

const ana = { id: '1', name: 'Ana Martínez', role: 'teacher' };

describe('the portal JWT, through Apache', () => {
  it('is issued by the portal with the claims node-service checks', async () => {
    const { token } = await signIn(door.apache.httpUrl, 'ana.docente');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: 'asistencia-portal', aud: 'asistencia', sub: '1', role: 'teacher', name: 'Ana Martínez' });
    expect(claims.exp! - claims.iat!).toBeGreaterThanOrEqual(300);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(600);
  });

  for (const scheme of ['http', 'https'] as const) {
    it(`identifies the signed-in teacher at /asistencia/api/me and /minodo-api/me over ${scheme}`, async () => {
      const base = scheme === 'http' ? door.apache.httpUrl : door.apache.httpsUrl;
      const { token } = await signIn(base, 'ana.docente');
      for (const path of ['/asistencia/api/me', '/minodo-api/me']) {
        const { status, body } = await call(`${base}${path}`, token);
        expect(status, path).toBe(200);
        expect(body, path).toEqual(ana);
      }
    });
  }

  it('lists the teacher’s courses, which node-service reads from the portal’s internal listener', async () => {
    const { token } = await signIn(door.apache.httpUrl, 'ana.docente');
    const { status, body } = await call(`${door.apache.httpUrl}/asistencia/api/teacher/courses`, token);
    expect(status).toBe(200);
    expect(body.courses).toEqual([{ id: 'MAT101', name: 'Cálculo I', role: 'teacher', rights: expect.arrayContaining(['run_classes', 'change_settings']) }]);
    // The server-to-server call went to the internal listener, not to a public port nor a built-in seed.
    const internalPort = new URL(door.apache.internalUrl).port;
    expect(door.apache.logs().access).toMatch(new RegExp(`:${internalPort} "GET /internal/courses\\.php HTTP/1\\.1" 200`));
  });
});

describe('the WebSocket, through Apache', () => {
  for (const scheme of ['ws', 'wss'] as const) {
    it(`authenticates with the portal JWT as its first message and answers over ${scheme}`, async () => {
      const base = scheme === 'ws' ? door.apache.httpUrl : door.apache.httpsUrl;
      const { token } = await signIn(base, 'ana.docente');
      const socket = await openSocket(`${base.replace(/^http/, 'ws')}/asistencia/ws`, { rejectUnauthorized: false });
      try {
        socket.send({ type: 'auth', token });
        expect((await socket.next('auth.ok')).identity).toEqual(ana);
        socket.send({ type: 'ping' });
        expect((await socket.next('pong')).serverTime).toEqual(expect.any(Number));
      } finally {
        socket.close();
      }
    });
  }
});

describe('the pages’ token flow in portal mode', () => {
  it('tells the pages to fetch their JWT from the portal, same origin, and to sign in there', async () => {
    for (const base of [door.apache.httpUrl, door.apache.httpsUrl]) {
      const { status, body } = await call(`${base}/asistencia/client-config`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ tokenUrl: '/token.php', loginUrl: '/login.php', devSignIn: false });
    }
  });

  it('gives a signed-out page the portal login to go to, and no development sign-in exists', async () => {
    const answer = await request(`${door.apache.httpUrl}/token.php?next=/asistencia/teacher/`, {
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error).toMatchObject({
      code: 'PORTAL_SESSION_REQUIRED',
      loginUrl: expect.stringMatching(/^\/login\.php\?next=/),
    });
    const devToken = await request(`${door.apache.httpUrl}/asistencia/dev/token`);
    expect(devToken.status).toBe(404);
  });
});
