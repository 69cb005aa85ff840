// A class as people run it, through the door of a running compose stack: the portal's login form, the
// teacher's pages, the projector, a phone with a passkey (Chromium's virtual authenticator) and the
// exports. Only published ports are used; the database is read through `podman exec` of psql.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Stack } from '../../../scripts/containers/stack.js';
import { addVirtualAuthenticator, readProjectorQr, type BrowserHarness } from '../../support/browser.js';
import { parseCsv } from '../../support/csv.js';

const laptop = { width: 1280, height: 800 };
const projectorScreen = { width: 1920, height: 1080 };

/** The portal's own login form, reached the way a signed-out visitor reaches it: sent there by the page. */
export async function portalSignIn(page: Page, origin: string, path: string, username: string, password = 'demo1234'): Promise<void> {
  await page.goto(`${origin}${path}`);
  await page.waitForURL((url) => url.pathname === '/login.php');
  await page.getByLabel('Usuario').fill(username);
  await page.getByLabel('Contraseña').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.waitForURL(`${origin}${path}`);
}

/** The projector's QR, read the way a phone camera reads the screen. */
export const readQr = (page: Page, name: string): Promise<string> => readProjectorQr(page, name);

/** Chromium trusts the stack's own certificate (by its public key) as an operator's real one is trusted. */
export async function certificateSpki(stack: Stack): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [
    '-c',
    'openssl x509 -in "$0" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64',
    join(stack.dir, 'secrets/tls_certificate.pem'),
  ]);
  return stdout.trim();
}

/** The portal's operator command line (php-legacy/bin/portal.php) in the running container; the password on stdin. */
export async function portalCommand(stack: Stack, password: string, ...args: string[]): Promise<string> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return stack.exec('asistencia-php', ['sh', '-c', `printf '%s\\n' '${password}' | php /srv/asistencia/php-legacy/bin/portal.php ${quoted}`]);
}

/**
 * psql inside the PostgreSQL container, over its socket (no password there): one value per row. Under
 * compose.ha.yaml asistencia-postgres is HAProxy: psql there reaches the primary over TCP with the password.
 */
export async function sql(stack: Stack, query: string): Promise<string[]> {
  const psql = ['psql', '-X', '-At', '-U', 'asistencia', '-d', 'asistencia', '-c', query];
  const out =
    stack.flavour === 'ha'
      ? await stack.exec('asistencia-postgres', ['sh', '-c', 'export PGPASSWORD=$(cat /run/secrets/postgres_password); exec "$@"', 'psql', ...psql, '-h', '127.0.0.1'])
      : await stack.exec('asistencia-postgres', psql);
  return out.split('\n').filter(Boolean);
}

export interface Classroom {
  readonly teacher: Page;
  readonly projector: Page;
  readonly sessionId: string;
}

/** The teacher's choices in the form's advanced options (the defaults otherwise). */
export interface ClassOptions {
  /** Students not on the course's list: 'flag' accepts and marks them. */
  readonly policy?: 'flag';
  /** How often the QR changes. */
  readonly periodSeconds?: number;
}

/** The teacher signs in, creates and opens a session, starts round 1 and projects it in a new window. */
export async function openClass(
  browser: BrowserHarness,
  origin: string,
  teacherName: string,
  room: string,
  password?: string,
  options: ClassOptions = {},
): Promise<Classroom> {
  const teacher = await browser.newPage({ viewport: laptop });
  await portalSignIn(teacher, origin, '/asistencia/teacher/', teacherName, password);
  await teacher.getByRole('heading', { level: 1, name: 'Mis sesiones' }).waitFor();
  // A teacher with sessions sees them first, and opens the form with "Nueva sesión".
  await teacher.locator('#f-room:visible, #new-session:visible').first().waitFor();
  if (await teacher.locator('#new-session').isVisible()) await teacher.locator('#new-session').click();
  await teacher.getByLabel('Sala').fill(room);
  if (options.policy || options.periodSeconds) {
    await teacher.locator('#advanced > summary').click();
    if (options.periodSeconds) await teacher.locator('#f-period').fill(String(options.periodSeconds));
    if (options.policy) await teacher.locator('#f-policy').selectOption(options.policy);
  }
  await teacher.getByRole('button', { name: 'Crear sesión' }).click();
  await teacher.waitForURL(/\/asistencia\/teacher\/\?session=[0-9a-f-]{36}$/);
  const sessionId = new URL(teacher.url()).searchParams.get('session')!;
  await teacher.getByRole('button', { name: 'Abrir la sesión de clase' }).click();
  await teacher.getByRole('button', { name: 'Iniciar ronda 1' }).click();
  await teacher.getByText(/presentes en la ronda 1/).waitFor();
  const [projector] = await Promise.all([teacher.context().waitForEvent('page'), teacher.getByRole('link', { name: 'Proyectar' }).click()]);
  await projector.setViewportSize(projectorScreen);
  await projector.locator('#qr svg').waitFor();
  return { teacher, projector, sessionId };
}

/** A student signs in on a phone-sized page with a passkey-capable authenticator and enrols it. */
export async function enrolPhone(browser: BrowserHarness, origin: string, username: string, password?: string): Promise<Page> {
  const phone = await browser.newPage();
  await addVirtualAuthenticator(phone, { isUserVerified: true, hasResidentKey: true });
  await portalSignIn(phone, origin, '/asistencia/enroll/', username, password);
  await phone.getByRole('button', { name: 'Registrar mi llave de acceso' }).click();
  await phone.getByText('Listo: tu llave de acceso quedó registrada', { exact: false }).waitFor();
  return phone;
}

/** Waits until the projector shows a code (not "Reconectando…", as while node-service restarts). */
export async function waitForLiveCode(projector: Page, timeout = 90_000): Promise<void> {
  await projector.getByText('Reconectando…', { exact: true }).first().waitFor({ state: 'hidden', timeout });
  await projector.locator('#qr svg').waitFor({ state: 'visible', timeout });
}

/** The student opens the URL in the projector's QR and confirms with the passkey; resolves when told present. */
export async function scan(phone: Page, projector: Page, name: string): Promise<void> {
  await waitForLiveCode(projector);
  await phone.goto(await readQr(projector, name));
  await phone.getByRole('status').filter({ hasText: 'Asistencia registrada' }).waitFor({ timeout: 20_000 });
}

/**
 * Opens the projector's current code until the phone is told it is present: node-service may be restarting,
 * or the machine so loaded that the code read expires before the phone's page asks for its challenge (a
 * student scans again then too). Returns the attempts it took.
 */
export async function scanUntilPresent(phone: Page, projector: Page, name: string, timeoutMs = 180_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; Date.now() < deadline; attempt += 1) {
    try {
      await phone.goto(await readQr(projector, `${name}-${attempt}`));
      await phone.getByRole('status').filter({ hasText: 'Asistencia registrada' }).waitFor({ timeout: 8000 });
      return attempt;
    } catch {
      await new Promise((done) => setTimeout(done, 1000));
    }
  }
  throw new Error(`${name} was never told present`);
}

/** Closes the session and reads the CSV export as the teacher downloads it: name → status. */
export async function closeAndExport(classroom: Classroom): Promise<Record<string, string>> {
  const { teacher } = classroom;
  await teacher.bringToFront();
  teacher.once('dialog', (dialog) => void dialog.accept());
  await teacher.getByRole('button', { name: 'Cerrar la sesión de clase' }).click();
  await teacher.getByText('Sesión cerrada.').waitFor();
  const session = teacher.getByRole('group', { name: 'Esta sesión' });
  const [csv] = await Promise.all([teacher.waitForEvent('download'), session.getByRole('button', { name: 'Descargar CSV' }).click()]);
  const rows = parseCsv((await readFile((await csv.path())!)).subarray(3).toString('utf8'));
  expect(rows[0]?.slice(0, 3)).toEqual(['Número de estudiante', 'Nombre', 'Estado']);
  return Object.fromEntries(rows.slice(1).map((row) => [row[1], row[2]]));
}

/** Waits until the door answers 200 on a path (the stack is up when Apache, PHP and node-service all are). */
export async function waitForDoor(url: string, init: RequestInit = {}, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(5000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((done) => setTimeout(done, 1000));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${last})`);
}
