import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  csrfTokenIn,
  fetchPortalToken,
  formBody,
  freePort,
  portalLogin,
  request,
  startApache,
  type RunningApache,
} from '../support/apache.js';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** Stands in for node-service's revocation endpoint and records what the portal sends it. */
async function startRevocationReceiver(): Promise<{ url: string; received: Received[]; status: { code: number }; server: Server }> {
  const received: Received[] = [];
  const status = { code: 204 };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      // The home page asks a student's recent device changes (device_notice.php): none, and not a revocation.
      if (req.method === 'GET' && /\/device-changes$/.test(req.url ?? '')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ noticeDays: 7, changes: [] }));
        return;
      }
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: raw === '' ? undefined : JSON.parse(raw),
      });
      res.writeHead(status.code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, status, server };
}

async function logout(baseUrl: string, cookie: string, withCsrf = true) {
  const home = await request(`${baseUrl}/`, { headers: { cookie } });
  const fields: Record<string, string> = withCsrf ? { csrf_token: csrfTokenIn(home.body) } : {};
  return request(`${baseUrl}/logout.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: formBody(fields),
  });
}

describe('logout revokes the tokens issued in the session', () => {
  let apache: RunningApache;
  let receiver: Awaited<ReturnType<typeof startRevocationReceiver>>;

  beforeAll(async () => {
    receiver = await startRevocationReceiver();
    apache = await startApache({ nodeInternalUrl: receiver.url });
  });
  afterAll(async () => {
    await apache?.stop();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.status.code = 204;
  });

  it('sends one POST per issued jti, with the internal credential, and ends the session', async () => {
    const cookie = await portalLogin(apache.httpUrl, 'luis.estudiante', 'demo1234');
    const tokens = [];
    for (let i = 0; i < 3; i += 1) tokens.push(decodeJwt((await fetchPortalToken(apache.httpUrl, cookie)).token));

    const answer = await logout(apache.httpUrl, cookie);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/login.php?logged_out=1');
    expect(answer.setCookies.some((line) => line.startsWith('PORTALSESSID=deleted') || /^PORTALSESSID=;/.test(line))).toBe(true);

    expect(receiver.received).toHaveLength(3);
    for (const call of receiver.received) {
      expect(call.method).toBe('POST');
      expect(call.url).toBe('/asistencia/internal/revocations');
      expect(call.authorization).toBe(`Bearer ${apache.phpEnv.INTERNAL_API_TOKEN}`);
      expect(call.contentType).toBe('application/json');
    }
    expect(receiver.received.map((call) => call.body)).toEqual(
      expect.arrayContaining(tokens.map((claims) => ({ jti: claims.jti, exp: claims.exp }))),
    );

    const after = await request(`${apache.httpUrl}/token.php`, { headers: { cookie } });
    expect(after.status).toBe(401);
    const home = await request(`${apache.httpUrl}/`, { headers: { cookie } });
    expect(home.status).toBe(303);
    const page = await request(`${apache.httpUrl}/login.php?logged_out=1`);
    expect(page.body).toContain('Cerraste la sesión.');
  });

  it('sends nothing when no token was issued', async () => {
    const cookie = await portalLogin(apache.httpUrl, 'ana.docente', 'demo1234');
    expect((await logout(apache.httpUrl, cookie)).status).toBe(303);
    expect(receiver.received).toEqual([]);
  });

  it('refuses a logout without the CSRF token and keeps the session', async () => {
    const cookie = await portalLogin(apache.httpUrl, 'maria.estudiante', 'demo1234');
    await fetchPortalToken(apache.httpUrl, cookie);
    const answer = await logout(apache.httpUrl, cookie, false);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('No se pudo cerrar la sesión');
    expect(receiver.received).toEqual([]);
    expect((await request(`${apache.httpUrl}/token.php`, { headers: { cookie } })).status).toBe(200);
  });

  it('does not log out on GET: it asks first, with the form (CSRF token) and the way back', async () => {
    const cookie = await portalLogin(apache.httpUrl, 'jose.estudiante', 'demo1234');
    const answer = await request(`${apache.httpUrl}/logout.php?next=${encodeURIComponent('/asistencia/student/')}`, { headers: { cookie } });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('¿Cerrar sesión?');
    expect(answer.body).toContain('José Núñez, vas a cerrar tu sesión en el portal y en Asistencia.');
    expect(answer.body).toContain('<form method="post" action="/logout.php"');
    expect(csrfTokenIn(answer.body)).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.body).toContain('<a href="/asistencia/student/">No, volver</a>');
    expect((await request(`${apache.httpUrl}/token.php`, { headers: { cookie } })).status).toBe(200);

    const english = await request(`${apache.httpUrl}/logout.php?lang=en&next=${encodeURIComponent('//evil.example/')}`, { headers: { cookie } });
    expect(english.body).toContain('Sign out?');
    expect(english.body).toContain('<a href="/">No, go back</a>');
    expect(english.body).not.toContain('evil.example');

    expect((await request(`${apache.httpUrl}/logout.php`, { method: 'PUT', headers: { cookie } })).status).toBe(405);
    expect((await request(`${apache.httpUrl}/logout.php`)).headers.location).toBe('/login.php');
  });

  it('still logs out when node-service refuses the revocation, and logs it', async () => {
    receiver.status.code = 500;
    const cookie = await portalLogin(apache.httpUrl, 'carmen.admin', 'demo1234');
    const { token } = await fetchPortalToken(apache.httpUrl, cookie);
    const answer = await logout(apache.httpUrl, cookie);
    expect(answer.status).toBe(303);
    expect(receiver.received).toHaveLength(1);
    expect(apache.logs().error).toContain(`revocation of jti ${decodeJwt(token).jti} failed (HTTP status 500)`);
    expect(apache.logs().error).not.toContain(apache.phpEnv.INTERNAL_API_TOKEN);
  });
});

describe('logout while node-service is unreachable', () => {
  let apache: RunningApache;
  beforeAll(async () => {
    apache = await startApache({ nodeInternalUrl: `http://127.0.0.1:${await freePort()}` });
  });
  afterAll(async () => {
    await apache?.stop();
  });

  it('completes quickly and logs the failure', async () => {
    const cookie = await portalLogin(apache.httpUrl, 'luis.estudiante', 'demo1234');
    const { token } = await fetchPortalToken(apache.httpUrl, cookie);
    const started = Date.now();
    const answer = await logout(apache.httpUrl, cookie);
    expect(answer.status).toBe(303);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(apache.logs().error).toContain(`revocation of jti ${decodeJwt(token).jti} failed`);
    expect((await request(`${apache.httpUrl}/token.php`, { headers: { cookie } })).status).toBe(401);
  });
});
