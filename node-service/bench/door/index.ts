import { loadavg } from 'node:os';
import { CookieJar, csrfTokenIn, formBody, freePort, request, startApache } from '../../test/support/apache.js';
import { portalToken, users } from '../../test/support/tokens.js';
import { startChild } from '../support/child.js';
import { benchCourse, startDirectory } from '../support/directory.js';
import { busyPercent, cpuSeconds, groupCpuSeconds, groupMemory, machineJiffies, maxSampler, rssBytes, waitForQuietMachine } from '../support/proc.js';
import { BENCH_JWT_SECRET, createDatabase, serviceEnv, startService } from '../support/service.js';
import { distribution, sleep, within } from '../support/stats.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { burst, COURSE_ID, enrollClassroom, openRound, planScans, PUBLIC_ORIGIN } from '../scan/classroom.js';
import type { handlers } from './crowd-client.js';

/**
 * The door holds a campus: the whole door as in production (Apache's event MPM sized by
 * apache-config/mpm-event.conf, the portal in php-fpm, node-service compiled), N authenticated WebSockets
 * held open through it by a separate process, while, at a steady pace, people sign in on the portal, call
 * the API, and a classroom scans (challenge and confirm, through Apache). Every request is timed; Apache's,
 * php-fpm's and node's memory and CPU are read from /proc.
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
    const windowSeconds = context.windowSeconds ?? 20;
    const results = [];
    // 0: the same load with no socket open, the baseline each N is compared with.
    for (const sockets of context.sockets ?? [0, 500, 2000, 5000]) {
      context.log(`door, N = ${sockets} sockets`);
      results.push(await measureDoor(sockets, windowSeconds, context));
    }
    return { windowSeconds, pace: PACE, results };
  },
};

async function measureDoor(sockets: number, windowSeconds: number, context: ScenarioContext) {
  const scope = context.teardown.scope();
  try {
    const scanSeconds = Math.min(windowSeconds, SCAN_WINDOW_MAX_S);
    const students = Math.max(WARMUP_SCANS, Math.round(PACE.scans * scanSeconds));
    const directory = await startDirectory([benchCourse(COURSE_ID, students)], scope);
    const service = await startService(context.runner, {
      teardown: scope,
      env: {
        ...serviceEnv(await createDatabase(scope), scope),
        PUBLIC_URL: PUBLIC_ORIGIN,
        TRUST_PROXY: '127.0.0.1',
        // The whole crowd and classroom come from one address (127.0.0.1 behind Apache), and one token makes the API calls.
        WS_MAX_PER_ADDRESS: String(sockets + 100),
        RATE_LIMIT_SCAN_PER_MINUTE: '1000000',
        RATE_LIMIT_USER_PER_MINUTE: '100000',
        RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
        ...directory,
        ...context.env,
      },
    });
    const apache = await startApache({
      internalPort: await freePort(),
      node: new URL(service.baseUrl).host,
      nodeInternalUrl: service.baseUrl,
      jwtSecret: BENCH_JWT_SECRET,
      internalApiToken: directory.INTERNAL_API_TOKEN,
      mpm: 'production',
    });
    scope.defer('stop Apache and php-fpm', () => apache.stop());
    context.log(`  node-service pid ${service.pid}, Apache pid ${apache.pids.apache}, php-fpm pid ${apache.pids.phpFpm}`);

    // Enrolment is setup (straight to node); the scans go through the door. The portal makes its store and PHP
    // compiles its scripts on first use, JIT and pools warm: a warm-up of every kind of request first.
    const classroom = await enrollClassroom(service.baseUrl, students, 1, scope);
    const scansOver = (ms: number, count: number) => planScans(classroom, [apache.httpUrl], ms).map((p) => (p.index < count ? p : undefined));
    const token = await portalToken(users.student);
    const warmRound = await openRound(service.baseUrl);
    const [warmUp] = await Promise.all([steadyLoad(apache.httpUrl, WARMUP_MS, token), burst(classroom, scansOver(WARMUP_MS, WARMUP_SCANS), await warmRound.liveToken())]);
    if (warmUp.failures.length > 0) throw new Error(`the door does not answer right before any socket is open: ${warmUp.failures[0]}`);
    const apacheIdle = groupMemory(apache.pids.apache);
    const nodeIdleMB = rssBytes(service.pid) / 1e6;

    const crowd = startChild<typeof handlers>(new URL('./crowd-client.ts', import.meta.url), 'the socket client', scope);
    const wsUrl = `${apache.httpUrl.replace('http', 'ws')}/asistencia/ws`;
    const opened = await within(180_000, `opening ${sockets} sockets`, crowd.call('open', { wsUrl, count: sockets, pingPeriodMs: PING_PERIOD_MS }));
    context.log(`  ${opened.open} sockets open and authenticated in ${(opened.ms / 1000).toFixed(1)} s`);
    await sleep(WARMUP_MS);
    await waitForQuietMachine(context.quietPercent ?? 50, 120_000, context.log);
    const round = await openRound(service.baseUrl);
    const qrToken = await round.liveToken();
    await crowd.call('report', undefined);
    const machineBefore = machineJiffies();
    const cpuOf = () => [groupCpuSeconds(apache.pids.apache), groupCpuSeconds(apache.pids.phpFpm), cpuSeconds(service.pid), cpuSeconds(crowd.pid)];
    const cpuBefore = cpuOf();
    const started = performance.now();
    const apacheMax = maxSampler(() => groupMemory(apache.pids.apache), 500, (m) => m.pssMB);
    const fpmMax = maxSampler(() => groupMemory(apache.pids.phpFpm), 500, (m) => m.pssMB);
    const nodeMax = maxSampler(() => rssBytes(service.pid), 500);
    const [load, scans] = await Promise.all([
      steadyLoad(apache.httpUrl, windowSeconds * 1000, token),
      burst(classroom, scansOver(scanSeconds * 1000, students), qrToken),
    ]);
    const during = await crowd.call('report', undefined);
    const seconds = (performance.now() - started) / 1000;
    const [apacheCpu, fpmCpu, nodeCpu, clientCpu] = cpuOf().map((after, i) => ((after - cpuBefore[i]!) / seconds) * 100);
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
      cpu: { apache: apacheCpu!, phpFpm: fpmCpu!, node: nodeCpu!, client: clientCpu! },
      machineBusyPercent: busyPercent(machineBefore, machineJiffies()),
      loadAverage: loadavg()[0]!,
    };
  } finally {
    await scope.run();
  }
}

export type DoorResult = Awaited<ReturnType<typeof measureDoor>>;

/** Sign-ins (GET the form, POST the demo password) and API calls started at a fixed pace for `windowMs`. */
async function steadyLoad(origin: string, windowMs: number, token: string) {
  const times = { loginPage: [] as number[], signIn: [] as number[], api: [] as number[] };
  const failures: string[] = [];
  const timed = async (into: number[], what: string, work: () => Promise<boolean>) => {
    const started = performance.now();
    try {
      if (await work()) into.push(Math.round(performance.now() - started));
      else failures.push(`${what}: wrong answer`);
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const signIn = async () => {
    const jar = new CookieJar();
    let csrf = '';
    await timed(times.loginPage, 'GET /login.php', async () => {
      const form = await request(`${origin}/login.php`);
      jar.store(form.setCookies);
      csrf = csrfTokenIn(form.body);
      return form.status === 200;
    });
    if (!csrf) return;
    const body = formBody({ csrf_token: csrf, username: 'luis.estudiante', password: 'demo1234', next: '/' });
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() };
    await timed(times.signIn, 'POST /login.php', async () => (await request(`${origin}/login.php`, { method: 'POST', headers, body })).status === 303);
  };
  const me = { headers: { authorization: `Bearer ${token}` } };
  const api = () => timed(times.api, 'GET /asistencia/api/me', async () => (await request(`${origin}/asistencia/api/me`, me)).status === 200);
  const running: Array<Promise<void>> = [];
  const started = Date.now();
  const paced = async (perSecond: number, work: () => Promise<void>) => {
    for (let at = started; at < started + windowMs; at += 1000 / perSecond) {
      await sleep(at - Date.now());
      running.push(work());
    }
  };
  await Promise.all([paced(PACE.signIns, signIn), paced(PACE.apiCalls, api)]);
  await Promise.all(running);
  return { loginPage: distribution(times.loginPage), signIn: distribution(times.signIn), api: distribution(times.api), failures };
}
