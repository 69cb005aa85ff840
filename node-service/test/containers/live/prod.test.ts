import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { podman, podmanBytes, sleep, startStack, type Stack } from '../../../scripts/containers/stack.js';
import { launchBrowser, type BrowserHarness } from '../../support/browser.js';
import { certificateSpki, closeAndExport, enrolPhone, openClass, portalCommand, readQr, scan, sql, waitForDoor, waitForLiveCode, type Classroom } from './classroom.js';

/**
 * Production as it ships: compose.yaml + compose.prod.yaml (Apache alone published, secrets as files,
 * read-only roots, limits, restart policies), the production images built from the project's
 * Containerfiles, brought up with the compose tool and driven only through Apache's published ports, over
 * HTTPS with the certificate an operator mounts. `npm run containers -- test prod`.
 */
const run = promisify(execFile);
const NODES = ['asistencia-node', 'asistencia-node-2', 'asistencia-node-3'] as const;
const SERVICES = ['asistencia-php', ...NODES, 'asistencia-postgres', 'asistencia-valkey'] as const;
const PASSWORD = 'clave-de-prueba-123';

let stack: Stack;
let browser: BrowserHarness;
let origin: string;

const portal = (...args: string[]) => portalCommand(stack, PASSWORD, ...args);

beforeAll(async () => {
  stack = await startStack('prod');
  origin = stack.httpsOrigin;
  // Node's fetch does not know the self-signed certificate: ask the door from inside the portal container.
  await waitForDoor(`${stack.origin}/asistencia/health`);
  browser = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${await certificateSpki(stack)}`] });
  await portal('add-user', 'docente.prueba', 'teacher', 'Docente Prueba');
  for (const [user, name] of [['ana.alumna', 'Ana Alumna'], ['beto.alumno', 'Beto Alumno']] as const) await portal('add-user', user, 'student', name);
  await portal('add-course', 'MAT101', 'Álgebra', 'docente.prueba');
  await portal('enrol', 'MAT101', 'ana.alumna', 'beto.alumno');
}, 1_500_000);

afterAll(async () => {
  await browser?.close();
  await stack?.down();
}, 300_000);

describe('podman compose, production: what is exposed and how', () => {
  test('only Apache is published: its HTTP and HTTPS listeners', async () => {
    for (const service of SERVICES) {
      const ports = (await podman(['port', await stack.container(service)])).trim();
      if (service === 'asistencia-php') {
        expect(ports.split('\n').sort()).toEqual(['8080/tcp -> 0.0.0.0:19580', '8443/tcp -> 0.0.0.0:19585']);
      } else {
        expect(ports, `${service} publishes nothing`).toBe('');
      }
    }
  });

  test.each(SERVICES)('%s runs as a non-root user on a read-only root filesystem', async (service) => {
    const id = await stack.container(service);
    expect(await podman(['inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', id])).toBe('true\n');
    // The container's main process, as the host sees it (PostgreSQL and Valkey drop root in their entrypoints).
    const pid = (await podman(['inspect', '--format', '{{.State.Pid}}', id])).trim();
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    expect(uids?.slice(1, 3).map(Number), 'real and effective uid').not.toContain(0);
  });

  test('secrets come from files: no secret appears in any container\'s configuration', async () => {
    const inspected = await podman(['inspect', ...(await Promise.all(SERVICES.map((s) => stack.container(s))))]);
    for (const [name, value] of Object.entries(stack.secrets)) expect(inspected.includes(value), name).toBe(false);
    expect(inspected).toContain('/run/secrets/jwt_secret');
  });

  test('plain HTTP is redirected to the public HTTPS origin', async () => {
    const response = await fetch(`${stack.origin}/login.php?next=%2Fasistencia%2F`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe(`${origin}/login.php?next=%2Fasistencia%2F`);
  });

  test('the door refuses the internal surfaces and serves the health check', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/asistencia/health`);
    const statuses = await page.evaluate(async () => {
      const paths = ['/asistencia/health', '/asistencia/ready', '/asistencia/metrics', '/asistencia/internal/revocations', '/asistencia/docs'];
      return Promise.all(paths.map(async (path) => [path, (await fetch(path)).status] as const));
    });
    expect(Object.fromEntries(statuses)).toEqual({
      '/asistencia/health': 200,
      '/asistencia/ready': 403,
      '/asistencia/metrics': 403,
      '/asistencia/internal/revocations': 403,
      '/asistencia/docs': 403,
    });
    await page.context().close();
  });
});

describe('podman compose, production: a class, a crash and a backup', () => {
  let classroom: Classroom;
  let ana: Page;
  let beto: Page;

  test('students enrol, the teacher projects over HTTPS, a student scans and is present', async () => {
    ana = await enrolPhone(browser, origin, 'ana.alumna', PASSWORD);
    beto = await enrolPhone(browser, origin, 'beto.alumno', PASSWORD);
    classroom = await openClass(browser, origin, 'docente.prueba', 'Sala 3', PASSWORD);
    await scan(ana, classroom.projector, 'containers-prod-ana');
    await classroom.projector.getByText('1 / 2 presentes').waitFor();
  });

  test('node-service crashes in the middle of the class: it is restarted, the projector shows a live code again, nothing confirmed is lost', async () => {
    const before = await stack.container('asistencia-node');
    const pid = (await podman(['inspect', '--format', '{{.State.Pid}}', before])).trim();
    await run('kill', ['-KILL', pid]); // a crash, not an operator's stop: the restart policy applies
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const status = await podman(['inspect', '--format', '{{.State.Status}} {{.RestartCount}}', before]).catch(() => '');
      if (/^running [1-9]/.test(status)) break;
      await sleep(1000);
    }
    expect(await podman(['inspect', '--format', '{{.State.Status}}', before])).toBe('running\n');
    // The projector reconnects by itself and shows a code the service accepts.
    await waitForLiveCode(classroom.projector);
    await classroom.projector.getByText('1 / 2 presentes').waitFor();
    await scan(beto, classroom.projector, 'containers-prod-beto');
    await classroom.projector.getByText('2 / 2 presentes').waitFor();
    const told = 2;
    expect(await sql(stack, `SELECT count(*) FROM attendance.validations WHERE session_id = '${classroom.sessionId}'`)).toEqual([String(told)]);
    expect(await readQr(classroom.projector, 'containers-prod-after-crash')).toMatch(new RegExp(`^${origin}/asistencia/scan/#`));
  });

  test('the CSV export lists both students as present', async () => {
    const statuses = await closeAndExport(classroom);
    expect(statuses).toMatchObject({ 'Ana Alumna': 'Presente', 'Beto Alumno': 'Presente' });
  });

  test('a backup restored into a fresh PostgreSQL volume keeps the attendance, and the receipts still verify', async () => {
    const pg = await stack.container('asistencia-postgres');
    const dump = await podmanBytes(['exec', pg, 'pg_dump', '--username=asistencia', '--dbname=asistencia', '--format=custom']);
    expect(dump.length).toBeGreaterThan(1000);

    // A new volume: the database is gone, the stack starts with an empty, migrated one.
    await stack.compose(['stop', ...NODES, 'asistencia-postgres']);
    await stack.compose(['rm', '-f', '-v', 'asistencia-postgres']);
    await podman(['volume', 'rm', `${stack.project}_postgres-data`]);
    await stack.compose(['up', '-d', '--no-build', 'asistencia-postgres']);
    await waitForSql(stack, 'SELECT count(*) FROM public.asistencia_migrations');
    expect(await sql(stack, 'SELECT count(*) FROM attendance.validations')).toEqual(['0']);

    // The documented restore: node-service stopped (every instance), pg_restore --clean in one transaction, then started.
    await stack.compose(['stop', ...NODES]);
    const restore = ['pg_restore', '--username=asistencia', '--dbname=asistencia', '--clean', '--if-exists', '--no-owner', '--single-transaction'];
    await podmanBytes(['exec', '-i', await stack.container('asistencia-postgres'), ...restore], dump);
    await stack.compose(['up', '-d', '--no-build', ...NODES]);
    await waitForDoor(`${stack.origin}/asistencia/health`);
    expect(await sql(stack, `SELECT count(*) FROM attendance.validations WHERE session_id = '${classroom.sessionId}'`)).toEqual(['2']);
    const verified = await stack.exec('asistencia-node', ['node', 'node-service/dist/cli/receipts.js', 'verify', '--all']);
    expect(verified).toMatch(/^OK: 2 receipt\(s\) in 1 session\(s\), 0 problem\(s\)/m);
  });
});

/**
 * Until the final server answers `query`. On a new volume the entrypoint's temporary server (the one that
 * runs init.sh) answers on the socket and then shuts down: it listens on no TCP port, so the server is the
 * final one once pg_isready reaches it over TCP, as the health check does (pg_isready needs no password).
 */
async function waitForSql(stack: Stack, query: string): Promise<void> {
  const ready = ['pg_isready', '--host=127.0.0.1', '--username=asistencia', '--dbname=asistencia'];
  for (let i = 0; i < 120; i += 1) {
    const up = await stack.exec('asistencia-postgres', ready).then(() => true, () => false);
    if (up && (await sql(stack, query).then(() => true, () => false))) return;
    await sleep(1000);
  }
  throw new Error(`PostgreSQL did not answer ${query}`);
}
