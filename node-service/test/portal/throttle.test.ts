import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, csrfTokenIn, formBody, pageError, request, startApache, type HttpResponse, type RunningApache } from '../support/apache.js';

/**
 * The portal's login throttle (php-legacy/src/throttle.php) through the real Apache and PHP. Failures
 * count per username and client address (LOGIN_MAX_FAILURES), per username from anywhere
 * (LOGIN_MAX_USER_FAILURES, a much higher ceiling) and per address (LOGIN_MAX_ADDRESS_FAILURES).
 * Client addresses are distinct loopback addresses (127.0.0.x): Apache sees each as REMOTE_ADDR.
 */

/** An HTTP request from a chosen local address (what the shared helper cannot choose). */
function requestFrom(localAddress: string, url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const headers = { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }) };
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers, localAddress, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, setCookies: res.headers['set-cookie'] ?? [], body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The login form for a fresh browser at `from`: its cookie jar and CSRF token. */
async function loginForm(baseUrl: string, from: string, jar = new CookieJar()) {
  const form = await requestFrom(from, `${baseUrl}/login.php`, { headers: { cookie: jar.header() } });
  jar.store(form.setCookies);
  return { jar, csrf: csrfTokenIn(form.body) };
}

async function submit(baseUrl: string, from: string, form: { jar: CookieJar; csrf: string }, username: string, password: string) {
  const answer = await requestFrom(from, `${baseUrl}/login.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.jar.header() },
    body: formBody({ csrf_token: form.csrf, username, password }),
  });
  form.jar.store(answer.setCookies);
  return answer;
}

/** One login attempt as a browser at `from` makes it: GET the form (for its CSRF token), then POST. */
async function attempt(baseUrl: string, username: string, password: string, from = '127.0.0.1', jar = new CookieJar()) {
  return submit(baseUrl, from, await loginForm(baseUrl, from, jar), username, password);
}

describe('login throttle with the default limits (5 failures per username and address lock for 5 minutes)', () => {
  let apache: RunningApache;
  beforeAll(async () => {
    apache = await startApache();
  });
  afterAll(async () => {
    await apache?.stop();
  });

  it('locks a username at one address after 5 failures, refuses even the right password, says how long to wait', async () => {
    for (let i = 0; i < 5; i += 1) {
      const failed = await attempt(apache.httpUrl, 'luis.estudiante', 'wrong');
      expect(failed.status).toBe(401);
      expect(pageError(failed.body)).toBe('Usuario o contraseña incorrectos');
    }
    const refused = await attempt(apache.httpUrl, 'luis.estudiante', 'demo1234');
    expect(refused.status).toBe(429);
    expect(pageError(refused.body)).toBe('Demasiados intentos fallidos. Espera 5 minutos antes de volver a intentarlo.');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(290);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(300);
  });

  it('says it in English too', async () => {
    const jar = new CookieJar();
    jar.store((await requestFrom('127.0.0.1', `${apache.httpUrl}/login.php?lang=en`)).setCookies);
    const refused = await attempt(apache.httpUrl, 'luis.estudiante', 'demo1234', '127.0.0.1', jar);
    expect(refused.status).toBe(429);
    expect(pageError(refused.body)).toBe('Too many failed attempts. Wait 5 minutes before trying again.');
  });

  // Before, the lock was per username alone: these 5 failures from elsewhere locked Luis out everywhere.
  it('does not lock the same user out from another address: a stranger cannot lock anyone out', async () => {
    const owner = await attempt(apache.httpUrl, 'luis.estudiante', 'demo1234', '127.0.0.2');
    expect(owner.status).toBe(303);
  });

  it('does not lock other usernames at the same address', async () => {
    expect((await attempt(apache.httpUrl, 'maria.estudiante', 'demo1234')).status).toBe(303);
  });

  // Before, failures were checked and then recorded: 30 parallel attempts got 7–9 passwords checked.
  it('checks at most 5 of 30 parallel wrong passwords for one username and address', async () => {
    const from = '127.0.0.3';
    const forms = await Promise.all(Array.from({ length: 30 }, () => loginForm(apache.httpUrl, from)));
    const answers = await Promise.all(forms.map((form) => submit(apache.httpUrl, from, form, 'jose.estudiante', 'wrong')));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(25);
  });
});

describe('login throttle with short limits', () => {
  let apache: RunningApache;
  beforeAll(async () => {
    apache = await startApache({
      env: {
        LOGIN_MAX_FAILURES: '2',
        LOGIN_MAX_USER_FAILURES: '5',
        LOGIN_MAX_ADDRESS_FAILURES: '4',
        LOGIN_WINDOW_SECONDS: '60',
        LOGIN_LOCKOUT_SECONDS: '2',
      },
    });
  });
  afterAll(async () => {
    await apache?.stop();
  });

  it('uses LOGIN_MAX_FAILURES and lets the user in again after LOGIN_LOCKOUT_SECONDS', async () => {
    await attempt(apache.httpUrl, 'ana.docente', 'wrong');
    await attempt(apache.httpUrl, 'ana.docente', 'wrong');
    const refused = await attempt(apache.httpUrl, 'ana.docente', 'demo1234');
    expect(refused.status).toBe(429);
    expect(pageError(refused.body)).toBe('Demasiados intentos fallidos. Espera 1 minuto antes de volver a intentarlo.');
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    const admitted = await attempt(apache.httpUrl, 'ana.docente', 'demo1234');
    expect(admitted.status).toBe(303);
  });

  it('a right password gives its attempt back: it never counts as a failure', async () => {
    // LOGIN_MAX_FAILURES is 2: failure, success, failure must leave the user still able to sign in.
    expect((await attempt(apache.httpUrl, 'maria.estudiante', 'wrong', '127.0.0.9')).status).toBe(401);
    expect((await attempt(apache.httpUrl, 'maria.estudiante', 'demo1234', '127.0.0.9')).status).toBe(303);
    expect((await attempt(apache.httpUrl, 'maria.estudiante', 'wrong', '127.0.0.9')).status).toBe(401);
    expect((await attempt(apache.httpUrl, 'maria.estudiante', 'demo1234', '127.0.0.9')).status).toBe(303);
  });

  it('locks a username everywhere at LOGIN_MAX_USER_FAILURES, failures spread over addresses', async () => {
    // 5 failures from three addresses, none at its own per-address limit of 2 for this user...
    for (const from of ['127.0.0.4', '127.0.0.4', '127.0.0.5', '127.0.0.5', '127.0.0.6']) {
      expect((await attempt(apache.httpUrl, 'carmen.admin', 'wrong', from)).status).toBe(401);
    }
    // ...reach the username's ceiling: refused from a fresh address too.
    const refused = await attempt(apache.httpUrl, 'carmen.admin', 'demo1234', '127.0.0.7');
    expect(refused.status).toBe(429);
  });

  it('locks a client address at LOGIN_MAX_ADDRESS_FAILURES, whatever the usernames', async () => {
    for (let i = 0; i < 4; i += 1) {
      expect((await attempt(apache.httpUrl, `nobody${i}`, 'wrong', '127.0.0.8')).status).toBe(401);
    }
    expect((await attempt(apache.httpUrl, 'jose.estudiante', 'demo1234', '127.0.0.8')).status).toBe(429);
    expect((await attempt(apache.httpUrl, 'jose.estudiante', 'demo1234', '127.0.0.10')).status).toBe(303);
  });
});

describe('a store made by an older portal (schema 1, one row per failure)', () => {
  let apache: RunningApache;
  beforeAll(async () => {
    apache = await startApache();
  });
  afterAll(async () => {
    await apache?.stop();
  });

  /** SQL run on the portal's store by PHP's own SQLite driver, as the store's owner (Apache's worker when root). */
  async function onStore(sql: string): Promise<string> {
    const code = `$p = new PDO('sqlite:' . getenv('PORTAL_DB_PATH')); $p->exec(getenv('SQL'));
      echo json_encode($p->query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")->fetchAll(PDO::FETCH_COLUMN));`;
    const run = promisify(execFile);
    const id = async (flag: string) => Number((await run('id', [flag, 'www-data'])).stdout.trim());
    const ids = process.getuid?.() === 0 ? { uid: await id('-u'), gid: await id('-g') } : {};
    const { stdout } = await run('php', ['-r', code], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORTAL_DB_PATH: apache.phpEnv.PORTAL_DB_PATH!, SQL: sql },
      ...ids,
    });
    return stdout;
  }

  // Without the upgrade in src/db.php the throttle's table is missing: every login answered 500.
  it('is upgraded in place on first use: accounts kept (with an e-mail column), courses with an empty staff, the throttle working', async () => {
    expect((await attempt(apache.httpUrl, 'luis.estudiante', 'demo1234')).status).toBe(303); // creates the store
    const now = Math.floor(Date.now() / 1000);
    await onStore(`DROP TABLE login_throttle;
      CREATE TABLE login_failures (scope TEXT NOT NULL CHECK (scope IN ('user', 'address')), subject TEXT NOT NULL, failed_at INTEGER NOT NULL);
      INSERT INTO login_failures VALUES ('user', 'luis.estudiante', ${now}), ('address', '127.0.0.1', ${now});
      ALTER TABLE users DROP COLUMN email;
      DROP TABLE course_staff;
      PRAGMA user_version = 1;`);

    expect((await attempt(apache.httpUrl, 'luis.estudiante', 'demo1234')).status).toBe(303);
    // Version 4 gave courses a staff (co-teachers and assistants): the table is there, empty for old courses.
    expect(JSON.parse(await onStore('SELECT 1'))).toEqual(['course_staff', 'course_students', 'courses', 'login_throttle', 'users']);
    expect(JSON.parse((await request(`${apache.internalUrl}/internal/roster.php?course=MAT101`, { headers: { authorization: `Bearer ${apache.phpEnv.INTERNAL_API_TOKEN}` } })).body).course.staff).toEqual([]);
    // Version 3 gave users an e-mail address (warnings by e-mail): the column is there, empty for old accounts.
    await expect(onStore(`UPDATE users SET email = NULL WHERE email IS NULL`)).resolves.toBeDefined();
    for (let i = 0; i < 5; i += 1) expect((await attempt(apache.httpUrl, 'maria.estudiante', 'wrong')).status).toBe(401);
    expect((await attempt(apache.httpUrl, 'maria.estudiante', 'demo1234')).status).toBe(429);
  });
});
