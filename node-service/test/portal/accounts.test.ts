import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CookieJar,
  csrfTokenIn,
  fetchPortalToken,
  formBody,
  pageError,
  PHP_LEGACY_DIR,
  portalLogin,
  request,
  startApache,
  type RunningApache,
} from '../support/apache.js';

// PORTAL_SEED=none (production): an empty store, a login page that says so, and the operator command line
// php-legacy/bin/portal.php writing the very store the real Apache + php-fpm portal reads.

const isRoot = process.getuid?.() === 0;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  stdin?: string;
  /** PORTAL_SEED for this run (default: Apache's). */
  seed?: string;
  /** Run as this process's own user even when Apache's workers are another one. */
  asSelf?: boolean;
}

/** Apache's worker account when the tests run as root: the CLI must run as the store's owner. */
async function workerIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (!isRoot) return undefined;
  const run = promisify(execFile);
  const uid = Number((await run('id', ['-u', 'www-data'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'www-data'])).stdout.trim());
  return { uid, gid };
}

let worker: { uid: number; gid: number } | undefined;

/** php php-legacy/bin/portal.php ..., against the store of a running test Apache. */
function portalCli(apache: RunningApache, args: string[], options: CliOptions = {}): Promise<CliResult> {
  // startApache serves a copy of php-legacy when the checkout is not readable by the worker account.
  const copy = join(apache.serverRoot, 'php-legacy');
  const script = join(existsSync(copy) ? copy : PHP_LEGACY_DIR, 'bin', 'portal.php');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    PORTAL_DB_PATH: apache.phpEnv.PORTAL_DB_PATH!,
  };
  const seed = options.seed ?? apache.phpEnv.PORTAL_SEED;
  if (seed !== undefined) env.PORTAL_SEED = seed;
  const ids = options.asSelf ? {} : (worker ?? {});
  return new Promise((resolve, reject) => {
    const child = spawn('php', [script, ...args], { env, ...ids, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    // A command that refuses to run exits before reading its input: what it said and its exit code are the answer.
    child.stdin.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.stdin.end(options.stdin ?? '');
  });
}

async function loginAnswer(apache: RunningApache, username: string, password: string) {
  const jar = new CookieJar();
  const form = await request(`${apache.httpUrl}/login.php`);
  jar.store(form.setCookies);
  return request(`${apache.httpUrl}/login.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: formBody({ csrf_token: csrfTokenIn(form.body), username, password }),
  });
}

const started: RunningApache[] = [];

async function portalWith(env: Record<string, string>): Promise<RunningApache> {
  const apache = await startApache({ env: { LOGIN_MAX_ADDRESS_FAILURES: '1000', ...env } });
  started.push(apache);
  return apache;
}

beforeAll(async () => {
  worker = await workerIds();
});

afterAll(async () => {
  await Promise.all(started.map((apache) => apache.stop()));
});

describe('PORTAL_SEED=none: an empty portal and its operator command line', () => {
  let apache: RunningApache;
  const internal = (path: string) =>
    request(`${apache.internalUrl}${path}`, { headers: { authorization: `Bearer ${apache.phpEnv.INTERNAL_API_TOKEN}` } });
  const secret = () => new TextEncoder().encode(apache.phpEnv.JWT_SECRET);

  beforeAll(async () => {
    apache = await portalWith({ PORTAL_SEED: 'none' });
  });

  it('starts with no demo account, no course and no roster', async () => {
    const courses = await internal('/internal/courses.php?student=2');
    expect(courses.status).toBe(200);
    expect(JSON.parse(courses.body)).toEqual({ courses: [] });
    expect((await internal('/internal/roster.php?course=MAT101')).status).toBe(404);
    const demo = await loginAnswer(apache, 'ana.docente', 'demo1234');
    expect(demo.status).toBe(401);
    expect((await portalCli(apache, ['list-users'])).stdout).toBe('');
  });

  it('says on the login page, plainly, that no accounts exist yet and how an operator adds them', async () => {
    const page = await request(`${apache.httpUrl}/login.php`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('id="no-accounts"');
    expect(page.body).toContain('Este portal todavía no tiene ninguna cuenta');
    expect(page.body).toContain('php php-legacy/bin/portal.php add-user &lt;usuario&gt; &lt;teacher|student|admin&gt;');
    expect(page.body).toContain('podman compose exec asistencia-php php /srv/asistencia/php-legacy/bin/portal.php add-user');
    expect(page.body).toContain('name="password"');
    const english = await request(`${apache.httpUrl}/login.php?lang=en`);
    expect(english.body).toContain('This portal has no accounts yet, so nobody can sign in.');
    expect(english.body).toContain('php php-legacy/bin/portal.php add-user &lt;username&gt;');
  });

  it('refuses weak passwords (fewer than 10 characters) and creates nobody', async () => {
    for (const weak of ['demo1234', 'ninechars', '']) {
      const answer = await portalCli(apache, ['add-user', 'weak.user', 'student', 'Weak User'], { stdin: `${weak}\n` });
      expect(answer.code, weak).toBe(1);
      expect(answer.stderr, weak).toMatch(/password refused: too weak \(\d characters; at least 10 are needed\)/);
      expect(answer.stdout).toBe('');
    }
    const none = await portalCli(apache, ['add-user', 'weak.user', 'student', 'Weak User']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no password on standard input');
    const list = await portalCli(apache, ['list-users']);
    expect(list.stdout).toBe('');
    expect(list.stderr).toContain('No accounts yet');
  });

  it('answers wrong usage with the usage text and exit status 2', async () => {
    for (const args of [[], ['frobnicate'], ['add-user', 'x', 'student'], ['add-user', 'x', 'janitor', 'X'], ['enrol', 'MAT101']]) {
      const answer = await portalCli(apache, args, { stdin: 'long-enough-password\n' });
      expect(answer.code, args.join(' ')).toBe(2);
      expect(answer.stderr, args.join(' ')).toContain('Usage: php php-legacy/bin/portal.php <command>');
    }
  });

  let teacherId = '';
  let studentId = '';

  it('adds a teacher and a student, prints their stable ids, adds a course and enrols the student', async () => {
    const teacher = await portalCli(apache, ['add-user', 'Prof.Ruiz', 'teacher', 'Elena Ruiz'], { stdin: 'teacher-password-1\n' });
    expect(teacher.code, teacher.stderr).toBe(0);
    teacherId = teacher.stdout.trim();
    expect(teacherId).toMatch(/^u[0-9a-f]{12}$/);
    const student = await portalCli(apache, ['add-user', 'sofia.diaz', 'student', 'Sofía Díaz'], { stdin: 'student-password-1\n' });
    expect(student.code, student.stderr).toBe(0);
    studentId = student.stdout.trim();
    expect(studentId).toMatch(/^u[0-9a-f]{12}$/);
    expect(studentId).not.toBe(teacherId);

    const course = await portalCli(apache, ['add-course', 'ALG100', 'Álgebra', 'prof.ruiz']);
    expect(course.code, course.stderr).toBe(0);
    const enroll = await portalCli(apache, ['enrol', 'ALG100', 'sofia.diaz']);
    expect(enroll.code, enroll.stderr).toBe(0);
    expect(enroll.stdout).toContain("Enrolled 'sofia.diaz' in ALG100.");
    const again = await portalCli(apache, ['enroll', 'ALG100', 'sofia.diaz']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Already enrolled 'sofia.diaz' in ALG100.");

    const users = (await portalCli(apache, ['list-users'])).stdout;
    expect(users).toMatch(new RegExp(`^${teacherId}\\s+prof\\.ruiz\\s+teacher\\s+Elena Ruiz$`, 'm'));
    expect(users).toMatch(new RegExp(`^${studentId}\\s+sofia\\.diaz\\s+student\\s+Sofía Díaz$`, 'm'));
    const courses = (await portalCli(apache, ['list-courses'])).stdout;
    expect(courses).toMatch(/^ALG100\s+prof\.ruiz\s+1\s+Álgebra$/m);
    expect(courses).toContain('students: sofia.diaz');
  });

  it('lets those users sign in through Apache and get portal tokens with their role and id', async () => {
    for (const [username, password, sub, role, name] of [
      ['sofia.diaz', 'student-password-1', studentId, 'student', 'Sofía Díaz'],
      ['prof.ruiz', 'teacher-password-1', teacherId, 'teacher', 'Elena Ruiz'],
    ] as const) {
      const cookie = await portalLogin(apache.httpUrl, username, password);
      const { token } = await fetchPortalToken(apache.httpUrl, cookie);
      const { payload } = await jwtVerify(token, secret(), {
        algorithms: ['HS256'],
        issuer: 'asistencia-portal',
        audience: 'asistencia',
      });
      expect(payload).toMatchObject({ sub, role, name });
      const home = await request(`${apache.httpUrl}/`, { headers: { cookie } });
      expect([...home.body.matchAll(/data-course="([^"]+)"/g)].map((m) => m[1])).toEqual(['ALG100']);
    }
    const login = await request(`${apache.httpUrl}/login.php`);
    expect(login.body).not.toContain('no-accounts');
  });

  it('gives node-service the course and its roster by those ids', async () => {
    const roster = await internal('/internal/roster.php?course=ALG100');
    expect(JSON.parse(roster.body)).toEqual({
      course: { id: 'ALG100', name: 'Álgebra', teacherId, staff: [] },
      students: [{ id: studentId, name: 'Sofía Díaz', username: 'sofia.diaz' }],
    });
    const courses = await internal(`/internal/courses.php?student=${studentId}`);
    expect(JSON.parse(courses.body)).toEqual({ courses: [{ id: 'ALG100', name: 'Álgebra', teacherId }] });
  });

  it('puts a teacher account on a course’s staff, changes its role, takes it off, and refuses anyone else', async () => {
    const assistant = await portalCli(apache, ['add-user', 'tomas.vera', 'teacher', 'Tomás Vera'], { stdin: 'assistant-password-1\n' });
    expect(assistant.code, assistant.stderr).toBe(0);
    const assistantId = assistant.stdout.trim();
    const staff = async () => JSON.parse((await internal('/internal/roster.php?course=ALG100')).body).course.staff;
    expect((await portalCli(apache, ['add-staff', 'ALG100', 'tomas.vera', 'assistant'])).stdout).toContain("'tomas.vera' is assistant of ALG100.");
    expect(await staff()).toEqual([{ id: assistantId, name: 'Tomás Vera', role: 'assistant' }]);
    expect(JSON.parse((await internal(`/internal/courses.php?staff=${assistantId}`)).body).courses.map((c: { id: string }) => c.id)).toEqual(['ALG100']);
    expect((await portalCli(apache, ['add-staff', 'ALG100', 'tomas.vera', 'co_teacher'])).code).toBe(0);
    expect(await staff()).toEqual([{ id: assistantId, name: 'Tomás Vera', role: 'co_teacher' }]);
    for (const [args, reason] of [
      [['add-staff', 'ALG100', 'sofia.diaz', 'assistant'], /is a student, not a teacher/],
      [['add-staff', 'ALG100', 'prof.ruiz', 'assistant'], /is the teacher of ALG100 already/],
      [['add-staff', 'ALG100', 'tomas.vera', 'owner'], /unknown staff role 'owner'/],
      [['add-staff', 'GEO1', 'tomas.vera', 'assistant'], /there is no course 'GEO1'/],
    ] as const) {
      const answer = await portalCli(apache, [...args]);
      expect(answer.code, args.join(' ')).toBe(1);
      expect(answer.stderr, args.join(' ')).toMatch(reason);
    }
    expect((await portalCli(apache, ['add-staff', 'ALG100', 'tomas.vera', '-'])).code).toBe(0);
    expect(await staff()).toEqual([]);
  });

  it('refuses, with a reason and exit status 1, what would break the store or the rosters', async () => {
    const cases: [string[], RegExp][] = [
      [['add-user', 'sofia.diaz', 'student', 'Otra'], /already taken/],
      [['add-user', 'bad name', 'student', 'X'], /invalid username/],
      [['add-course', 'ALG100', 'Otra', 'prof.ruiz'], /already exists/],
      [['add-course', 'GEO 1', 'Geo', 'prof.ruiz'], /invalid course id/],
      [['add-course', 'GEO1', 'Geo', 'sofia.diaz'], /is a student, not a teacher/],
      [['add-course', 'GEO1', 'Geo', 'nadie'], /there is no user 'nadie'/],
      [['enrol', 'GEO1', 'sofia.diaz'], /there is no course 'GEO1'/],
      [['enrol', 'ALG100', 'nadie', 'prof.ruiz'], /nobody was enrolled:[\s\S]*no user 'nadie'[\s\S]*is a teacher, not a student/],
      [['set-password', 'nadie'], /there is no user 'nadie'/],
    ];
    for (const [args, reason] of cases) {
      const answer = await portalCli(apache, args, { stdin: 'long-enough-password-9\n' });
      expect(answer.code, args.join(' ')).toBe(1);
      expect(answer.stderr, args.join(' ')).toMatch(reason);
    }
    const courses = (await portalCli(apache, ['list-courses'])).stdout;
    expect(courses).not.toContain('GEO1');
    expect(courses).toMatch(/^ALG100\s+prof\.ruiz\s+1\s+Álgebra$/m);
  });

  it('set-password replaces the password; the old one stops working', async () => {
    const weak = await portalCli(apache, ['set-password', 'sofia.diaz'], { stdin: 'short\n' });
    expect(weak.code).toBe(1);
    const changed = await portalCli(apache, ['set-password', 'sofia.diaz'], { stdin: 'a-brand-new-password\n' });
    expect(changed.code, changed.stderr).toBe(0);
    expect((await loginAnswer(apache, 'sofia.diaz', 'student-password-1')).status).toBe(401);
    expect((await loginAnswer(apache, 'sofia.diaz', 'a-brand-new-password')).status).toBe(303);
  });

  it('set-email gives an account the address the warnings by e-mail go to; the portal hands it to node-service', async () => {
    const bad = await portalCli(apache, ['set-email', 'sofia.diaz', 'not-an-address']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'not-an-address' is not an e-mail address/);
    const set = await portalCli(apache, ['set-email', 'sofia.diaz', 'sofia.diaz@example.edu']);
    expect(set.code, set.stderr).toBe(0);
    const people = async () => JSON.parse((await internal(`/internal/people.php?ids=${studentId}`)).body).people;
    expect(await people()).toEqual([expect.objectContaining({ username: 'sofia.diaz', email: 'sofia.diaz@example.edu' })]);
    expect((await portalCli(apache, ['set-email', 'sofia.diaz', '-'])).code).toBe(0);
    expect(await people()).toEqual([expect.objectContaining({ username: 'sofia.diaz', email: null })]);
  });

  it.runIf(isRoot)('refuses to run as another user than the store\'s owner (files it made would lock the portal out)', async () => {
    const answer = await portalCli(apache, ['list-users'], { asSelf: true });
    expect(answer.code).toBe(1);
    expect(answer.stderr).toMatch(/belongs to user id \d+, but this command runs as user id 0/);
  });
});

describe('a store made with the demo data, then served with PORTAL_SEED=none', () => {
  it('flags the demo accounts and never accepts the demo password, until an operator sets a real one', async () => {
    const apache = await portalWith({ PORTAL_SEED: 'none' });
    // The store is created by the command line with the demo data, as an older deployment's would be.
    const listed = await portalCli(apache, ['list-users'], { seed: 'demo' });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^1\s+ana\.docente\s+teacher\s+Ana Martínez\s+\[demo password/m);

    const refused = await loginAnswer(apache, 'ana.docente', 'demo1234');
    expect(refused.status).toBe(401);
    expect(pageError(refused.body)).toBe('Usuario o contraseña incorrectos');
    expect(apache.logs().error).toContain("refused the demo password for 'ana.docente' (PORTAL_SEED=none)");

    const changed = await portalCli(apache, ['set-password', 'ana.docente'], { stdin: 'a-real-password-42\n' });
    expect(changed.code, changed.stderr).toBe(0);
    expect((await loginAnswer(apache, 'ana.docente', 'a-real-password-42')).status).toBe(303);
    expect((await portalCli(apache, ['list-users'])).stdout).not.toMatch(/ana\.docente.*demo password/);
  });
});

describe('PORTAL_SEED', () => {
  it('keeps the demo data by default (development and tests)', async () => {
    const apache = await portalWith({});
    expect((await loginAnswer(apache, 'ana.docente', 'demo1234')).status).toBe(303);
    expect((await request(`${apache.httpUrl}/login.php`)).body).not.toContain('no-accounts');
  });

  it('refuses an unknown value instead of guessing', async () => {
    const apache = await portalWith({ PORTAL_SEED: 'production' });
    const page = await request(`${apache.httpUrl}/login.php`);
    expect(page.status).toBe(500);
    expect(pageError(page.body)).toBe('PORTAL_SEED must be &quot;demo&quot; or &quot;none&quot; (got &quot;production&quot;)');
    const cli = await portalCli(apache, ['list-users']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('PORTAL_SEED must be "demo" or "none"');
  });
});
