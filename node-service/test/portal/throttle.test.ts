import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, csrfTokenIn, formBody, pageError, request, startApache, type RunningApache } from '../support/apache.js';

/** One login attempt as a browser makes it: GET the form (for its CSRF token), then POST. */
async function attempt(baseUrl: string, jar: CookieJar, username: string, password: string) {
  const form = await request(`${baseUrl}/login.php`, { headers: { cookie: jar.header() } });
  jar.store(form.setCookies);
  const answer = await request(`${baseUrl}/login.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: formBody({ csrf_token: csrfTokenIn(form.body), username, password }),
  });
  jar.store(answer.setCookies);
  return answer;
}

describe('login throttle with the default limits (5 failures in 15 minutes lock for 5 minutes)', () => {
  let apache: RunningApache;
  beforeAll(async () => {
    // Per-username limit at its default; the per-address limit raised so each can be shown on its own.
    apache = await startApache({ env: { LOGIN_MAX_ADDRESS_FAILURES: '8' } });
  });
  afterAll(async () => {
    await apache?.stop();
  });

  it('locks a username after 5 failures, refuses even the right password, and says how long to wait', async () => {
    const jar = new CookieJar();
    for (let i = 0; i < 5; i += 1) {
      const failed = await attempt(apache.httpUrl, jar, 'luis.estudiante', 'wrong');
      expect(failed.status).toBe(401);
      expect(pageError(failed.body)).toBe('Usuario o contraseña incorrectos');
    }
    const refused = await attempt(apache.httpUrl, jar, 'luis.estudiante', 'demo1234');
    expect(refused.status).toBe(429);
    expect(pageError(refused.body)).toBe('Demasiados intentos fallidos. Espere 5 minutos antes de volver a intentarlo.');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(290);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(300);
  });

  it('says it in English too', async () => {
    const jar = new CookieJar();
    jar.store((await request(`${apache.httpUrl}/login.php?lang=en`)).setCookies);
    const refused = await attempt(apache.httpUrl, jar, 'luis.estudiante', 'demo1234');
    expect(refused.status).toBe(429);
    expect(pageError(refused.body)).toBe('Too many failed attempts. Wait 5 minutes before trying again.');
  });

  it('does not lock other usernames', async () => {
    const answer = await attempt(apache.httpUrl, new CookieJar(), 'maria.estudiante', 'demo1234');
    expect(answer.status).toBe(303);
  });

  it('locks the client address once it reaches its own limit, whatever the username', async () => {
    const jar = new CookieJar();
    for (let i = 0; i < 3; i += 1) {
      expect((await attempt(apache.httpUrl, jar, `nobody${i}`, 'wrong')).status).toBe(401);
    }
    const refused = await attempt(apache.httpUrl, jar, 'carmen.admin', 'demo1234');
    expect(refused.status).toBe(429);
    expect(pageError(refused.body)).toContain('Demasiados intentos fallidos');
  });
});

describe('login throttle with short limits', () => {
  let apache: RunningApache;
  beforeAll(async () => {
    apache = await startApache({
      env: { LOGIN_MAX_FAILURES: '2', LOGIN_WINDOW_SECONDS: '60', LOGIN_LOCKOUT_SECONDS: '2' },
    });
  });
  afterAll(async () => {
    await apache?.stop();
  });

  it('uses LOGIN_MAX_FAILURES and lets the user in again after LOGIN_LOCKOUT_SECONDS', async () => {
    const jar = new CookieJar();
    await attempt(apache.httpUrl, jar, 'ana.docente', 'wrong');
    await attempt(apache.httpUrl, jar, 'ana.docente', 'wrong');
    const refused = await attempt(apache.httpUrl, jar, 'ana.docente', 'demo1234');
    expect(refused.status).toBe(429);
    expect(pageError(refused.body)).toBe('Demasiados intentos fallidos. Espere 1 minuto antes de volver a intentarlo.');
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    const admitted = await attempt(apache.httpUrl, jar, 'ana.docente', 'demo1234');
    expect(admitted.status).toBe(303);
  });
});
