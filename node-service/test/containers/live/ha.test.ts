import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page, WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { podman, startStack, type Stack } from '../../../scripts/containers/stack.js';
import { launchBrowser, type BrowserHarness } from '../../support/browser.js';
import { certificateSpki, enrolPhone, openClass, portalCommand, scanUntilPresent, sql, waitForDoor, type Classroom } from './classroom.js';

/**
 * High availability under podman compose (issue 28): production's three node-service instances behind
 * Apache's balancer, one of them killed (SIGKILL) in the middle of a class. Its own project (asistencia-ha),
 * ports (19680/19685), network (10.96.0.0/24) and image tag (:ha), so it runs beside the dev and prod lanes.
 * `npm run containers -- test ha`.
 */
const run = promisify(execFile);
const PASSWORD = 'clave-de-prueba-123';
const NODES = ['asistencia-node', 'asistencia-node-2', 'asistencia-node-3'] as const;
const STUDENTS = [
  ['ana.alumna', 'Ana Alumna'],
  ['beto.alumno', 'Beto Alumno'],
  ['caro.alumna', 'Caro Alumna'],
] as const;
/** The promise to a projector whose instance died: a live code again within this long. */
const RECONNECT_BOUND_MS = 5000;

let stack: Stack;
let browser: BrowserHarness;
let origin: string;

beforeAll(async () => {
  stack = await startStack('ha');
  origin = stack.httpsOrigin;
  await waitForDoor(`${stack.origin}/asistencia/health`);
  browser = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${await certificateSpki(stack)}`] });
  const portal = (...args: string[]) => portalCommand(stack, PASSWORD, ...args);
  await portal('add-user', 'docente.prueba', 'teacher', 'Docente Prueba');
  for (const [user, name] of STUDENTS) await portal('add-user', user, 'student', name);
  await portal('add-course', 'MAT101', 'Álgebra', 'docente.prueba');
  await portal('enrol', 'MAT101', ...STUDENTS.map(([user]) => user));
}, 1_500_000);

afterAll(async () => {
  await browser?.close();
  await stack?.down();
}, 300_000);

/** How many WebSocket upgrades each instance has logged (Fastify logs every request with its URL). */
async function socketsPerNode(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const node of NODES) {
    const logs = await podman(['logs', await stack.container(node)]);
    counts[node] = logs.split('\n').filter((line) => line.includes('"url":"/asistencia/ws"')).length;
  }
  return counts;
}

/** A projector page's sockets, as Chromium sees them: a closed one, and a later one that received a code. */
function watchSockets(page: Page) {
  const sockets: Array<{ socket: WebSocket; closedAt?: number; codeAt?: number }> = [];
  page.on('websocket', (socket) => {
    const entry: (typeof sockets)[number] = { socket };
    sockets.push(entry);
    socket.on('close', () => (entry.closedAt ??= Date.now()));
    socket.on('framereceived', ({ payload }) => {
      if (String(payload).includes('"type":"qr"')) entry.codeAt ??= Date.now();
    });
  });
  return sockets;
}

describe('podman compose, high availability: node-service', () => {
  let classroom: Classroom;
  const phones: Page[] = [];

  test('the three instances are members of the balancer: pages and sockets reach each', async () => {
    for (const [user] of STUDENTS) phones.push(await enrolPhone(browser, origin, user, PASSWORD));
    classroom = await openClass(browser, origin, 'docente.prueba', 'Sala HA', PASSWORD);
    await scanUntilPresent(phones[0]!, classroom.projector, 'containers-ha-ana', 60_000);
    await classroom.projector.getByText('1 / 3 presentes').waitFor();
    const requests: Record<string, number> = {};
    for (const node of NODES) {
      const logs = await podman(['logs', await stack.container(node)]);
      requests[node] = logs.split('\n').filter((line) => line.includes('"url":"/asistencia/api/')).length;
    }
    for (const node of NODES) expect(requests[node], `${node} served API requests: ${JSON.stringify(requests)}`).toBeGreaterThan(0);
  });

  test('one instance killed during the class: its projectors show a live code within 5 s, scans go on, nothing confirmed is lost', async ({ annotate }) => {
    // Three more projector windows of the same session: with the teacher's own, sockets on every instance.
    const url = classroom.projector.url();
    const projectors = [classroom.projector];
    const watched = new Map<Page, ReturnType<typeof watchSockets>>();
    for (let i = 0; i < 3; i += 1) {
      // In the teacher's browser (signed in): only the session's teacher may project it.
      const page = await classroom.teacher.context().newPage();
      watched.set(page, watchSockets(page));
      await page.goto(url);
      await page.locator('#qr svg').waitFor();
      projectors.push(page);
    }
    const sockets = await socketsPerNode();
    const victim = NODES.filter((node) => node !== 'asistencia-node').sort((a, b) => sockets[b]! - sockets[a]!)[0]!;
    expect(sockets[victim], `WebSockets per instance: ${JSON.stringify(sockets)}`).toBeGreaterThan(0);

    const pid = (await podman(['inspect', '--format', '{{.State.Pid}}', await stack.container(victim)])).trim();
    const killedAt = Date.now();
    await run('kill', ['-KILL', pid]);

    // Every watched projector whose socket went down with the instance has a new one showing a code in time.
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_BOUND_MS));
    const dropped = [...watched.values()].filter((list) => list.some((entry) => entry.closedAt !== undefined && entry.closedAt >= killedAt));
    expect(dropped.length, 'projectors whose socket was on the killed instance').toBeGreaterThan(0);
    for (const list of dropped) {
      const back = list.find((entry) => entry.codeAt !== undefined && entry.codeAt > killedAt && entry.closedAt === undefined);
      expect(back, 'a new socket with a live code').toBeDefined();
      expect(back!.codeAt! - killedAt).toBeLessThanOrEqual(RECONNECT_BOUND_MS);
      await annotate(`${victim} killed: a projector on it showed a live code again ${back!.codeAt! - killedAt} ms later`);
    }

    // Scans go on, whichever instance takes them.
    await scanUntilPresent(phones[1]!, classroom.projector, 'containers-ha-beto', 60_000);
    await scanUntilPresent(phones[2]!, projectors[1]!, 'containers-ha-caro', 60_000);
    for (const page of projectors) await page.getByText('3 / 3 presentes').waitFor({ timeout: 10_000 });
    // Told "confirmed" = rows committed: three students were told they are present.
    expect(await sql(stack, `SELECT count(*) FROM attendance.validations WHERE session_id = '${classroom.sessionId}'`)).toEqual(['3']);
    for (const page of projectors.slice(1)) await page.close();
  });
});
