import { decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CookieJar,
  csrfTokenIn,
  fetchPortalToken,
  formBody,
  pageError,
  portalLogin,
  request,
  startApache,
  type RunningApache,
} from '../support/apache.js';

const PASSWORD = 'demo1234';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let apache: RunningApache;

beforeAll(async () => {
  // Several tests fail a login on purpose from 127.0.0.1: keep the per-address throttle out of the way here
  // (throttle.test.ts covers it).
  apache = await startApache({ env: { LOGIN_MAX_ADDRESS_FAILURES: '1000' } });
});

afterAll(async () => {
  await apache?.stop();
});

/** GET the login form with the jar's cookies, then POST the given fields (csrf_token filled in unless given). */
async function submitLogin(jar: CookieJar, fields: Record<string, string>, base = apache.httpUrl) {
  const form = await request(`${base}/login.php`, { headers: { cookie: jar.header() } });
  jar.store(form.setCookies);
  const answer = await request(`${base}/login.php`, {
    method: 'POST',
    headers: { ...FORM, cookie: jar.header() },
    body: formBody({ csrf_token: csrfTokenIn(form.body), ...fields }),
  });
  jar.store(answer.setCookies);
  return answer;
}

describe('portal login', () => {
  it('signs in with the right password and redirects to the requested page', async () => {
    const jar = new CookieJar();
    const answer = await submitLogin(jar, { username: 'ana.docente', password: PASSWORD, next: '/?from=test' });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/?from=test');
  });

  it('gives a new session id at login, in a HttpOnly SameSite=Lax cookie (not Secure over plain HTTP)', async () => {
    const jar = new CookieJar();
    const form = await request(`${apache.httpUrl}/login.php`);
    jar.store(form.setCookies);
    const before = jar.get('PORTALSESSID');
    expect(before).toBeTruthy();
    const cookieLine = form.setCookies.find((line) => line.startsWith('PORTALSESSID='));
    expect(cookieLine).toMatch(/HttpOnly/i);
    expect(cookieLine).toMatch(/SameSite=Lax/i);
    expect(cookieLine).not.toMatch(/Secure/i);

    const answer = await request(`${apache.httpUrl}/login.php`, {
      method: 'POST',
      headers: { ...FORM, cookie: jar.header() },
      body: formBody({ csrf_token: csrfTokenIn(form.body), username: 'luis.estudiante', password: PASSWORD }),
    });
    expect(answer.status).toBe(303);
    jar.store(answer.setCookies);
    expect(jar.get('PORTALSESSID')).toBeTruthy();
    expect(jar.get('PORTALSESSID')).not.toBe(before);
  });

  it('refuses a wrong password with "Usuario o contraseña incorrectos" and no session', async () => {
    const jar = new CookieJar();
    const answer = await submitLogin(jar, { username: 'ana.docente', password: 'not-the-password' });
    expect(answer.status).toBe(401);
    expect(pageError(answer.body)).toBe('Usuario o contraseña incorrectos');
    const token = await request(`${apache.httpUrl}/token.php`, { headers: { cookie: jar.header() } });
    expect(token.status).toBe(401);
  });

  it('gives the same message for an unknown username', async () => {
    const answer = await submitLogin(new CookieJar(), { username: 'nadie', password: PASSWORD });
    expect(answer.status).toBe(401);
    expect(pageError(answer.body)).toBe('Usuario o contraseña incorrectos');
  });

  it('refuses a login without the CSRF token, even with the right password', async () => {
    const jar = new CookieJar();
    const form = await request(`${apache.httpUrl}/login.php`);
    jar.store(form.setCookies);
    const answer = await request(`${apache.httpUrl}/login.php`, {
      method: 'POST',
      headers: { ...FORM, cookie: jar.header() },
      body: formBody({ username: 'ana.docente', password: PASSWORD }),
    });
    expect(answer.status).toBe(403);
    expect(pageError(answer.body)).toContain('token CSRF');
    jar.store(answer.setCookies);
    const token = await request(`${apache.httpUrl}/token.php`, { headers: { cookie: jar.header() } });
    expect(token.status).toBe(401);
  });

  it('refuses a CSRF token that belongs to another session', async () => {
    const victim = new CookieJar();
    const attacker = await request(`${apache.httpUrl}/login.php`);
    const form = await request(`${apache.httpUrl}/login.php`);
    victim.store(form.setCookies);
    const answer = await request(`${apache.httpUrl}/login.php`, {
      method: 'POST',
      headers: { ...FORM, cookie: victim.header() },
      body: formBody({ csrf_token: csrfTokenIn(attacker.body), username: 'ana.docente', password: PASSWORD }),
    });
    expect(answer.status).toBe(403);
  });

  it('says it in English when asked, and remembers the choice', async () => {
    const jar = new CookieJar();
    const english = await request(`${apache.httpUrl}/login.php?lang=en`);
    jar.store(english.setCookies);
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('Sign in');
    const answer = await submitLogin(jar, { username: 'ana.docente', password: 'wrong' });
    expect(pageError(answer.body)).toBe('Incorrect username or password');
  });

  it('builds the language link only from known values, never from what the query carried', async () => {
    // Before, the link was the whole query with `lang` swapped: any parameter (and path info) came back.
    const languageLink = async (path: string) => {
      const page = await request(`${apache.httpUrl}${path}`);
      expect(page.status).toBe(200);
      return /<a class="lang" href="([^"]*)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
    };
    expect(await languageLink('/login.php?next=%2Fasistencia%2Fteacher%2F&lang=zz&x=%22%3E%3Cb%3Ehola&utm=1')).toBe(
      '/login.php?lang=en&next=%2Fasistencia%2Fteacher%2F',
    );
    expect(await languageLink('/login.php?next=https%3A%2F%2Fevil.example%2F&logged_out=%3Cb%3E')).toBe('/login.php?lang=en&logged_out=1');
    expect(await languageLink('/login.php?lang=en&next[]=x')).toBe('/login.php?lang=es');
    expect(await languageLink('/login.php/%22%3E%3Cb%3E?lang=en')).toBe('/login.php?lang=es');
  });

  it('escapes what it echoes back into the page', async () => {
    const hostile = '/"><script>alert(1)</script>';
    const page = await request(`${apache.httpUrl}/login.php?next=${encodeURIComponent(hostile)}`);
    expect(page.body).not.toContain('<script>alert(1)</script>');
    const answer = await submitLogin(new CookieJar(), { username: '<b>x</b>', password: 'x', next: hostile });
    expect(answer.body).not.toContain('<b>x</b>');
    expect(answer.body).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('never redirects off-site after login', async () => {
    const answer = await submitLogin(new CookieJar(), { username: 'ana.docente', password: PASSWORD, next: '//evil.example/' });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/');
  });
});

describe('home page', () => {
  it('sends visitors without a session to the login page', async () => {
    const answer = await request(`${apache.httpUrl}/`);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/login.php?next=%2F');
  });

  it.each([
    ['ana.docente', ['MAT101'], ['/asistencia/teacher/']],
    ['pedro.docente', ['FIS201'], ['/asistencia/teacher/']],
    ['luis.estudiante', ['FIS201', 'MAT101'], ['/asistencia/student/', '/asistencia/enroll/']],
    ['jose.estudiante', ['MAT101'], ['/asistencia/student/', '/asistencia/enroll/']],
    ['carmen.admin', ['FIS201', 'MAT101'], ['/asistencia/admin/']],
  ])('%s sees their courses and the Asistencia pages of their role', async (username, courses, links) => {
    const cookie = await portalLogin(apache.httpUrl, username, PASSWORD);
    const home = await request(`${apache.httpUrl}/`, { headers: { cookie } });
    expect(home.status).toBe(200);
    const shownCourses = [...home.body.matchAll(/data-course="([^"]+)"/g)].map((m) => m[1]);
    expect(shownCourses).toEqual(courses);
    const shownLinks = [...home.body.matchAll(/href="(\/asistencia\/[^"]*)"/g)].map((m) => m[1]);
    expect(shownLinks).toEqual(links);
    expect(home.body).toContain('Cerrar sesión');
  });
});

describe('GET /token.php', () => {
  const secret = () => new TextEncoder().encode(apache.phpEnv.JWT_SECRET);

  it('hands a signed-in teacher a short-lived HS256 token with every claim Node checks', async () => {
    const cookie = await portalLogin(apache.httpUrl, 'ana.docente', PASSWORD);
    const before = Math.floor(Date.now() / 1000);
    const { token, expiresAt } = await fetchPortalToken(apache.httpUrl, cookie);
    const { payload, protectedHeader } = await jwtVerify(token, secret(), {
      algorithms: ['HS256'],
      issuer: 'asistencia-portal',
      audience: 'asistencia',
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: '1', role: 'teacher', name: 'Ana Martínez' });
    const { iat, nbf, exp, jti } = payload as { iat: number; nbf: number; exp: number; jti: string };
    expect(iat).toBeGreaterThanOrEqual(before - 2);
    expect(iat).toBeLessThanOrEqual(before + 5);
    expect(nbf).toBe(iat);
    expect(exp - iat).toBeGreaterThanOrEqual(300);
    expect(exp - iat).toBeLessThanOrEqual(600);
    expect(expiresAt).toBe(exp);
    expect(jti).toMatch(/^[0-9a-f]{32}$/);
  });

  it('names the student and the admin by their own ids and roles', async () => {
    for (const [username, sub, role, name] of [
      ['maria.estudiante', '3', 'student', 'María Gómez'],
      ['carmen.admin', '5', 'admin', 'Carmen Ruiz'],
    ] as const) {
      const cookie = await portalLogin(apache.httpUrl, username, PASSWORD);
      const { token } = await fetchPortalToken(apache.httpUrl, cookie);
      const { payload } = await jwtVerify(token, secret(), { algorithms: ['HS256'] });
      expect(payload).toMatchObject({ sub, role, name });
    }
  });

  it('is never cached and gives a fresh jti every time', async () => {
    const cookie = await portalLogin(apache.httpUrl, 'luis.estudiante', PASSWORD);
    const first = await request(`${apache.httpUrl}/token.php`, { headers: { cookie } });
    const second = await request(`${apache.httpUrl}/token.php`, { headers: { cookie } });
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toContain('no-store');
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    const jtiOf = (body: string) => decodeJwt(JSON.parse(body).token as string).jti;
    expect(jtiOf(first.body)).not.toBe(jtiOf(second.body));
  });

  it('answers 401 with a login URL when there is no portal session', async () => {
    const answer = await request(`${apache.httpUrl}/token.php?next=${encodeURIComponent('/asistencia/teacher/')}`);
    expect(answer.status).toBe(401);
    expect(answer.headers['cache-control']).toContain('no-store');
    expect(answer.setCookies).toEqual([]);
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: 'PORTAL_SESSION_REQUIRED',
        message: 'Inicia sesión en el portal para continuar.',
        loginUrl: '/login.php?next=%2Fasistencia%2Fteacher%2F',
      },
    });
  });

  it('does not let the login URL point off-site', async () => {
    const answer = await request(`${apache.httpUrl}/token.php?next=${encodeURIComponent('https://evil.example/')}`);
    expect(JSON.parse(answer.body).error.loginUrl).toBe('/login.php?next=%2F');
  });

  it('refuses cross-site requests even with a valid session', async () => {
    const cookie = await portalLogin(apache.httpUrl, 'ana.docente', PASSWORD);
    for (const site of ['cross-site', 'same-site']) {
      const answer = await request(`${apache.httpUrl}/token.php`, { headers: { cookie, 'sec-fetch-site': site } });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).error.code).toBe('CROSS_SITE_REQUEST');
    }
    const typed = await request(`${apache.httpUrl}/token.php`, { headers: { cookie, 'sec-fetch-site': 'none' } });
    expect(typed.status).toBe(200);
  });

  it('only answers GET', async () => {
    const answer = await request(`${apache.httpUrl}/token.php`, { method: 'POST' });
    expect(answer.status).toBe(405);
  });
});
