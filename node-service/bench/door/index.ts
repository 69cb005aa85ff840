import { loadavg } from 'node:os';
import { CookieJar, csrfTokenIn, formBody, pageError, request, type HttpRequestOptions } from '../../test/support/apache.js';
import { portalToken, users } from '../../test/support/tokens.js';
import { startChild } from '../support/lifecycle.js';
import { benchCourse } from '../support/directory.js';
import { cpuBetween, cpuSnapshot, groupMemory, groupOf, maxSampler, rssBytes } from '../support/proc.js';
import { startStack } from '../support/service.js';
import { distribution, sleep, within } from '../support/stats.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { burst, COURSE_ID, enrollClassroom, openRound, planScans } from '../scan/classroom.js';
import type { handlers } from './crowd-client.js';

/**
 * The door holds a campus: the whole door as in production (Apache's production MPM, the portal in php-fpm,
 * node-service compiled), N authenticated WebSockets held open through it by a separate process, while, at a
 * steady pace, people sign in on the portal, call the API, and a classroom scans through it. Every request is
 * timed; Apache's, php-fpm's and node's memory and CPU are read from /proc (docs/benchmarks.md says how).
 */
const PING_PERIOD_MS = 10_000;
const WARMUP_MS = 2_000;
/** Started per second, whatever answers come: a starved door shows as latency and failures, not as fewer samples. */
const PACE = { signIns: 5, apiCalls: 20, scans: 10 };
/** One live code (30 s rotation, one period of grace) covers the scans: they are spread over at most this long. */
const SCAN_WINDOW_MAX_S = 25;
const WARMUP_SCANS = 20;

export const doorScenario: Scenario = {
  title: 'door: WebSockets held open through Apache while HTTP flows',
  async run(context) {
    const windowSeconds = context.sizes('window')?.[0] ?? 20;
    const results = [];
    // 0: the same load with no socket open, the baseline each N is compared with.
    for (const sockets of context.sizes('sockets') ?? [0, 500, 2000, 5000]) {
      context.log(`door, N = ${sockets} sockets`);
      results.push(await measureDoor(sockets, windowSeconds, context));
    }
    return { windowSeconds, pace: PACE, results };
  },
};

async function measureDoor(sockets: number, windowSeconds: number, context: ScenarioContext) {
  return context.teardown.scoped(async (scope) => {
    const scanSeconds = Math.min(windowSeconds, SCAN_WINDOW_MAX_S);
    const students = Math.max(WARMUP_SCANS, Math.round(PACE.scans * scanSeconds));
    const courses = [benchCourse(COURSE_ID, students)];
    const stack = await startStack(context, scope, { courses, door: true });
    const [service, apache] = [stack.servers[0]!, stack.apache!];

    // Enrolment is setup (straight to node); the scans go through the door. The portal makes its store and PHP
    // compiles its scripts on first use, JIT and pools warm: a warm-up of every kind of request first.
    const classroom = await enrollClassroom(service.baseUrl, students, 1, scope);
    const scansOver = (ms: number, count: number) => planScans(classroom, [stack.url], ms).map((p) => (p.index < count ? p : undefined));
    const token = await portalToken(users.student);
    const warmRound = await openRound(service.baseUrl);
    const [warmUp] = await Promise.all([steadyLoad(stack.url, WARMUP_MS, token), burst(classroom, scansOver(WARMUP_MS, WARMUP_SCANS), await warmRound.liveToken())]);
    if (warmUp.failures.length > 0) throw new Error(`the door does not answer right before any socket is open: ${warmUp.failures[0]}`);
    const apacheIdle = groupMemory(apache.pids.apache);
    const nodeIdleMB = rssBytes(service.pid) / 1e6;

    const crowd = startChild<typeof handlers>(new URL('./crowd-client.ts', import.meta.url), 'the socket client', scope);
    const wsUrl = `${stack.url.replace('http', 'ws')}/asistencia/ws`;
    const opened = await within(180_000, `opening ${sockets} sockets`, crowd.call('open', { wsUrl, count: sockets, pingPeriodMs: PING_PERIOD_MS }));
    context.log(`  ${opened.open} sockets open and authenticated in ${(opened.ms / 1000).toFixed(1)} s`);
    await sleep(WARMUP_MS);
    const round = await openRound(service.baseUrl);
    const qrToken = await round.liveToken();
    await crowd.call('report', undefined);
    const groups = { apache: () => groupOf(apache.pids.apache), phpFpm: () => groupOf(apache.pids.phpFpm), node: () => [service.pid], client: () => [crowd.pid] };
    const before = cpuSnapshot(groups);
    const apacheMax = maxSampler(() => groupMemory(apache.pids.apache), 500, (m) => m.pssMB);
    const fpmMax = maxSampler(() => groupMemory(apache.pids.phpFpm), 500, (m) => m.pssMB);
    const nodeMax = maxSampler(() => rssBytes(service.pid), 500);
    const [load, scans] = await Promise.all([steadyLoad(stack.url, windowSeconds * 1000, token), burst(classroom, scansOver(scanSeconds * 1000, students), qrToken)]);
    const during = await crowd.call('report', undefined);
    const cpu = cpuBetween(before, cpuSnapshot(groups), context.machine.cpus);
    return {
      sockets,
      opened: opened.open,
      openSeconds: opened.ms / 1000,
      answeredSockets: during.answeredSockets,
      dropped: during.dropped,
      ...load,
      scanChallenge: scans.challenge,
      scan: scans.scan,
      scanErrors: scans.errors,
      scanned: scans.students,
      apacheIdle,
      apache: apacheMax.stop(),
      phpFpm: fpmMax.stop(),
      nodeIdleMB,
      nodeMB: nodeMax.stop() / 1e6,
      cpu: Object.fromEntries(Object.keys(groups).map((name) => [name, cpu.percent(name)])) as Record<keyof typeof groups, number>,
      machineBusyPercent: cpu.machinePercent / context.machine.cpus,
      loadAverage: loadavg()[0]!,
    };
  });
}

export type DoorResult = Awaited<ReturnType<typeof measureDoor>>;

/** Sign-ins (GET the form, POST the demo password) and API calls started at a fixed pace for `windowMs`. */
async function steadyLoad(origin: string, windowMs: number, token: string) {
  const times = { loginPage: [] as number[], signIn: [] as number[], api: [] as number[] };
  const failures: string[] = [];
  /** Times one request that should answer `expected`; a wrong status or no answer is a failure. */
  const timed = async (into: number[], what: string, expected: number, url: string, options?: HttpRequestOptions) => {
    const started = performance.now();
    try {
      const answer = await request(`${origin}${url}`, options);
      if (answer.status === expected) into.push(Math.round(performance.now() - started));
      else failures.push(`${what}: HTTP ${answer.status} ${pageError(answer.body) ?? answer.body.slice(0, 200)}`);
      return answer;
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const signIn = async () => {
    const jar = new CookieJar();
    const form = await timed(times.loginPage, 'GET /login.php', 200, '/login.php');
    if (form?.status !== 200) return;
    jar.store(form.setCookies);
    const body = formBody({ csrf_token: csrfTokenIn(form.body), username: 'luis.estudiante', password: 'demo1234', next: '/' });
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() };
    await timed(times.signIn, 'POST /login.php', 303, '/login.php', { method: 'POST', headers, body });
  };
  const api = () => timed(times.api, 'GET /asistencia/api/me', 200, '/asistencia/api/me', { headers: { authorization: `Bearer ${token}` } });
  const running: Array<Promise<unknown>> = [];
  const started = Date.now();
  const paced = async (perSecond: number, work: () => Promise<unknown>) => {
    for (let at = started; at < started + windowMs; at += 1000 / perSecond) {
      await sleep(at - Date.now());
      running.push(work());
    }
  };
  await Promise.all([paced(PACE.signIns, signIn), paced(PACE.apiCalls, api)]);
  await Promise.all(running);
  return { loginPage: distribution(times.loginPage), signIn: distribution(times.signIn), api: distribution(times.api), failures };
}
