import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page, WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { podman, startStack, type Stack } from '../../../scripts/containers/stack.js';
import { launchBrowser, type BrowserHarness } from '../../support/browser.js';
import { scanOnce, type ScanOutcome } from '../../faults/support.js';
import { certificateSpki, enrolPhone, openClass, portalCommand, readQr, scanUntilPresent, sql, waitForDoor, type Classroom } from './classroom.js';
import { doorFetch, haSql, PATRONI_MEMBERS, patroniHealthy, patroniPromoted, seedCrowd, until, valkeyPrimary } from './ha-parts.js';

/**
 * High availability under podman compose (issue 28): compose.yaml + compose.prod.yaml + compose.ha.yaml.
 * Production's three node-service instances behind Apache's balancer, Valkey with a replica and three
 * sentinels, PostgreSQL twice under Patroni (synchronous_mode, one etcd) behind HAProxy's check of
 * Patroni's /primary. In the middle of a class: one node-service instance killed (SIGKILL), then the Valkey
 * primary (podman kill), then the PostgreSQL primary during a burst of confirmations (podman kill). Its own
 * project (asistencia-ha), ports (19680/19685), network (10.96.0.0/24) and image tag (:ha), so it runs
 * beside the dev and prod lanes. `npm run containers -- test ha`.
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

/** The promise to a projector when the Valkey primary dies: codes again within this long of the promotion. */
const VALKEY_BACK_BOUND_MS = 5000;
/** Students confirming in the burst during which the PostgreSQL primary is killed, and when it is killed. */
const BURST = 300;
const CRASH_AFTER = 30;
/** Patroni's leader key lives 10 s (containers/ha/patroni/settings.py): a failover takes about that. */
const POSTGRES_FAILOVER_BOUND_MS = 45_000;

let stack: Stack;
let browser: BrowserHarness;
let origin: string;
const phones: Page[] = [];

beforeAll(async () => {
  stack = await startStack('ha');
  origin = stack.httpsOrigin;
  await waitForDoor(`${stack.origin}/asistencia/health`);
  // The whole set-up healthy before the class: a Patroni leader with its synchronous standby.
  await patroniHealthy(stack, 180_000);
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
      await note(annotate, `${victim} killed: a projector on it showed a live code again ${back!.codeAt! - killedAt} ms later`);
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

/** A measured figure: annotated on the test, and printed to stderr (the default reporter does not show annotations). */
async function note(annotate: (message: string) => Promise<unknown>, message: string): Promise<void> {
  console.warn(message);
  await annotate(message);
}

/** Every QR frame a projector page receives, on any of its sockets: when it arrived. */
function watchCodes(page: Page): number[] {
  const times: number[] = [];
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      if (String(payload).includes('"type":"qr"')) times.push(Date.now());
    }),
  );
  return times;
}

describe('podman compose, high availability: Valkey behind three sentinels', () => {
  test('the Valkey primary killed during a class: the replica is promoted, codes come back within 5 s, scans go on', async ({ annotate }) => {
    const classroom = await openClass(browser, origin, 'docente.prueba', 'Sala HA Valkey', PASSWORD);
    // A projector window watched from before its socket opens.
    const projector = await classroom.teacher.context().newPage();
    const codes = watchCodes(projector);
    await projector.goto(classroom.projector.url());
    await projector.locator('#qr svg').waitFor();
    await until(async () => (codes.length >= 2 ? true : undefined), 15_000, 'the projector received no codes');

    const primary = await valkeyPrimary(stack);
    expect(primary, 'the sentinels name the primary by its host name').toBe('asistencia-valkey');
    const victim = await stack.container(primary);
    const killedAt = Date.now();
    await podman(['kill', victim]);
    const promoted = await until(async () => {
      const now = await valkeyPrimary(stack);
      return now !== primary ? now : undefined;
    }, 30_000, 'the sentinels promoted no other server');
    const promotedAt = Date.now();
    expect(promoted).toBe('asistencia-valkey-replica');

    // Freshly minted codes reach the projector again, through whichever instance holds its socket.
    const backAt = await until(async () => codes.find((at) => at > promotedAt), VALKEY_BACK_BOUND_MS + 5000, 'no code after the promotion');
    expect(backAt - promotedAt, 'a code after the promotion').toBeLessThanOrEqual(VALKEY_BACK_BOUND_MS);
    const during = codes.filter((at) => at > killedAt + 500 && at < promotedAt).length;

    // A scan of a code minted on the new primary is confirmed, and the count reaches the same projector.
    await scanUntilPresent(phones[0]!, projector, 'containers-ha-valkey-ana', 60_000);
    await projector.getByText('1 / 3 presentes').waitFor({ timeout: 10_000 });
    expect(await sql(stack, `SELECT count(*) FROM attendance.validations WHERE session_id = '${classroom.sessionId}'`)).toEqual(['1']);
    await note(annotate, 
      `Valkey primary ${primary} killed: ${promoted} promoted ${promotedAt - killedAt} ms later (seen from the sentinels); ` +
        `the projector got a new code ${backAt - promotedAt} ms after that (${backAt - killedAt} ms after the kill; ${during} codes between kill and promotion)`,
    );
    await projector.close();
    await classroom.projector.close();
    await classroom.teacher.close();
   }, 240_000);
});

const confirmed = (outcome: ScanOutcome | null) => outcome?.status === 200 && outcome.body?.outcome === 'confirmed';
const alreadyConfirmed = (outcome: ScanOutcome | null) => outcome?.status === 200 && outcome.body?.outcome === 'already_confirmed';

/** When each running node-service container started (the one killed above may be gone): unchanged = not restarted. */
async function nodeStarts(): Promise<string[]> {
  return Promise.all(
    NODES.map(async (node) => {
      const id = await stack.container(node).catch(() => undefined);
      return id ? (await podman(['inspect', '--format', '{{.Id}} {{.State.StartedAt}}', id])).trim() : `${node} not running`;
    }),
  );
}

describe('podman compose, high availability: PostgreSQL under Patroni behind HAProxy', () => {
  test('the primary killed during a burst of confirmations: told confirmed is committed, 503 with Retry-After meanwhile, no restart', async ({ annotate }) => {
    const leader = await patroniHealthy(stack, 60_000);
    const survivor = PATRONI_MEMBERS.find((member) => member !== leader)!;
    const { service, crowd } = await seedCrowd(stack, BURST);
    // Students of the crowd are not on the course's list: accepted and flagged. One code for the whole burst.
    const classroom = await openClass(browser, origin, 'docente.prueba', 'Sala HA PostgreSQL', PASSWORD, { policy: 'flag', periodSeconds: 30 });
    // The code on the projector now (it may say "Reconectando…" for a moment: read again until a code shows).
    const codeShown = (name: string) => until(async () => (await readQr(classroom.projector, name)).split('#')[1], 60_000, 'no code on the projector', 1000);
    const token = await codeShown('containers-ha-burst');
    const started = await nodeStarts();
    const victim = await stack.container(leader);

    const told = new Set<string>();
    const refused: typeof crowd = [];
    const refusals: (ScanOutcome | null)[] = [];
    let crash: Promise<number> | undefined;
    // The helpers' requests go through the door over HTTPS, trusting the stack's certificate.
    vi.stubGlobal('fetch', await doorFetch(stack));
    try {
      await Promise.all(
        crowd.map(async (member) => {
          const outcome = await scanOnce(service, token, member.phone);
          if (confirmed(outcome)) {
            told.add(member.student.sub);
            if (told.size === CRASH_AFTER) {
              const at = Date.now();
              crash = podman(['kill', victim]).then(() => at);
            }
          } else {
            refusals.push(outcome);
            refused.push(member);
          }
        }),
      );
      expect(crash, 'the burst ended before the crash').toBeDefined();
      const crashedAt = await crash!;
      await patroniPromoted(stack, survivor, POSTGRES_FAILOVER_BOUND_MS);
      const promotedMs = Date.now() - crashedAt;
      expect(refused.length, 'scans refused while there was no primary').toBeGreaterThan(0);

      // Told "confirmed" ⊆ rows on the promoted member (read through HAProxy, once it sends there).
      await until(async () => ((await haSql(stack, 'SELECT pg_is_in_recovery()'))[0] === 'f' ? true : undefined), POSTGRES_FAILOVER_BOUND_MS, 'HAProxy did not reach the new primary');
      const committed = new Set(await haSql(stack, `SELECT student_id FROM attendance.validations WHERE session_id = '${classroom.sessionId}'`));
      expect([...told].filter((sub) => !committed.has(sub)), 'told confirmed, row missing after the failover').toEqual([]);
      const toldBefore = told.size;

      // Those refused scan again, as the scan page does after Retry-After, until confirmed: no restart.
      let firstAgainMs: number | undefined;
      const deadline = Date.now() + POSTGRES_FAILOVER_BOUND_MS;
      for (let left = refused, round = 1; left.length > 0; round += 1) {
        if (Date.now() > deadline) throw new Error(`${left.length} students still refused; last refusals: ${JSON.stringify(refusals.slice(-3))}`);
        const code = await codeShown(`containers-ha-again-${round}`);
        const outcomes = await Promise.all(left.map((member) => scanOnce(service, code, member.phone)));
        left = left.filter((member, index) => {
          const outcome = outcomes[index]!;
          if (!confirmed(outcome) && !alreadyConfirmed(outcome)) return refusals.push(outcome), true;
          firstAgainMs ??= Date.now() - crashedAt;
          told.add(member.student.sub);
          return false;
        });
        const wait = Math.max(1, ...refusals.slice(-left.length).map((o) => Number(o?.retryAfter) || 0));
        if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      }

      // Every answer but "confirmed", during the burst and the retries: 503 SERVICE_UNAVAILABLE with Retry-After.
      for (const outcome of refusals) {
        expect({ status: outcome?.status, code: outcome?.body?.error?.code }, JSON.stringify(outcome)).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
        expect(Number(outcome!.retryAfter)).toBeGreaterThan(0);
      }
      expect(told.size).toBe(BURST);
      expect(await haSql(stack, `SELECT count(*) FROM attendance.validations WHERE session_id = '${classroom.sessionId}'`)).toEqual([String(BURST)]);
      expect(await nodeStarts(), 'node-service was not restarted').toEqual(started);
      await note(annotate, 
        `PostgreSQL primary ${leader} killed after ${CRASH_AFTER} of ${BURST} confirmations: ${survivor} led ${promotedMs} ms later; ` +
          `${toldBefore} told confirmed before, all with rows; ${refusals.length} answers 503 with Retry-After; ` +
          `first confirmation again ${firstAgainMs ?? 0} ms after the kill; all ${BURST} confirmed in the end`,
      );
    } finally {
      vi.unstubAllGlobals();
    }
   }, 300_000);
});
