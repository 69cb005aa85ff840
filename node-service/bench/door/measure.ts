import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CookieJar, csrfTokenIn, formBody, freePorts, request, startApache, type RunningApache } from '../../test/support/apache.js';
import { startChildClient } from '../support/child-client.js';
import { portalToken } from '../support/portal.js';
import { cpuSeconds, groupCpuSeconds, groupMemory, rssBytes, rssSampler } from '../support/proc.js';
import { BENCH_JWT_SECRET, createDatabase, createKeyPrefix, startService, VALKEY_URL, type BenchService, type ServiceRunner } from '../support/service.js';
import { distribution, sleep, within, type Distribution } from '../support/stats.js';
import { machineJiffies, waitForQuietMachine } from '../support/system-cpu.js';
import type { Teardown } from '../support/teardown.js';
import type { ClientMessage, ParentMessage } from './protocol.js';

/**
 * The door benchmark: the whole door as in production (Apache's event MPM sized by
 * apache-config/mpm-event.conf, the portal in php-fpm, node-service as its own compiled process), N
 * authenticated WebSockets held open through it by a separate client process, each pinging every
 * PING_PERIOD_MS, while people sign in on the portal and call the API at a steady pace. It records the
 * latency of every request and the memory of Apache, php-fpm and node-service.
 */
const PING_PERIOD_MS = 10_000;
const WARMUP_MS = 2_000;
/** Sign-ins (GET the form, POST the password) and API calls started per second, whatever answers come. */
const SIGN_INS_PER_SECOND = 5;
const API_CALLS_PER_SECOND = 20;
const INTERNAL_API_TOKEN = 'bench-door-internal-credential-0123456789';
const MB = 1e6;
/** The window starts once the machine (other people's work included) is at most this busy, or after the wait. */
const QUIET_PERCENT = 50;
const QUIET_WAIT_MS = 120_000;

export interface DoorOptions {
  runner: ServiceRunner;
  teardown: Teardown;
  windowSeconds: number;
  env: Record<string, string>;
  log: (line: string) => void;
}

export interface Memory {
  processes: number;
  rssMB: number;
  pssMB: number;
}

export interface DoorResult {
  sockets: number;
  opened: number;
  openSeconds: number;
  /** Sockets that had a pong back during the window; sockets closed during it. */
  answeredSockets: number;
  dropped: number;
  loginPage: Distribution;
  signIn: Distribution;
  api: Distribution;
  failures: string[];
  apacheIdle: Memory;
  apache: Memory;
  phpFpm: Memory;
  nodeIdleMB: number;
  nodeMB: number;
  /** CPU used during the window, % of one core: Apache (all processes), php-fpm, node-service, the socket client. */
  cpu: { apache: number; phpFpm: number; node: number; client: number };
  /** How busy the whole machine was during the window (% of all cores: the door's work and anyone else's). */
  machineBusyPercent: number;
  /** The 1-minute load average at the window's end. */
  loadAverage: number;
}

export async function measureDoor(sockets: number, options: DoorOptions): Promise<DoorResult> {
  const scope = options.teardown.scope();
  try {
    const { service, apache } = await startDoor(sockets, options, scope);
    options.log(`  node-service pid ${service.pid}, Apache pid ${apache.pids.apache}, php-fpm pid ${apache.pids.phpFpm}`);
    // The portal makes its store (and hashes the demo passwords) on its first request; PHP compiles its
    // scripts once per worker: neither belongs in the figures.
    const token = await portalToken(BENCH_JWT_SECRET);
    const warmUp = await steadyLoad(apache.httpUrl, WARMUP_MS, token);
    if (warmUp.failures.length > 0) throw new Error(`the door does not answer right before any socket is open: ${warmUp.failures[0]}`);
    const apacheIdle = memoryOf(apache.pids.apache);
    const nodeIdleMB = rssBytes(service.pid) / MB;

    const crowd = startChildClient<ParentMessage, ClientMessage>(fileURLToPath(new URL('./crowd-client.ts', import.meta.url)), 'the socket client', scope);
    const wsUrl = `${apache.httpUrl.replace('http', 'ws')}/asistencia/ws`;
    const opened = await within(180_000, `opening ${sockets} sockets`, crowd.ask({ type: 'open', wsUrl, count: sockets, jwtSecret: BENCH_JWT_SECRET, pingPeriodMs: PING_PERIOD_MS }, 'opened'));
    if (opened.error) throw new Error(`opening ${sockets} sockets through the door: ${opened.error}`);
    options.log(`  ${opened.open} sockets open and authenticated in ${(opened.ms / 1000).toFixed(1)} s`);
    await sleep(WARMUP_MS);
    await waitForQuietMachine(QUIET_PERCENT, QUIET_WAIT_MS, options.log);
    await crowd.ask({ type: 'report' }, 'report'); // starts the window's pong count afresh
    const machineBefore = machineJiffies();
    const cpuOf = () => [groupCpuSeconds(apache.pids.apache), groupCpuSeconds(apache.pids.phpFpm), cpuSeconds(service.pid), cpuSeconds(crowd.pid)];
    const cpuBefore = cpuOf();
    const windowStarted = performance.now();

    const apacheMax = maxSampler(() => memoryOf(apache.pids.apache));
    const fpmMax = maxSampler(() => memoryOf(apache.pids.phpFpm));
    const nodeRss = rssSampler(service.pid, 500);
    const load = await steadyLoad(apache.httpUrl, options.windowSeconds * 1000, token);
    const during = await crowd.ask({ type: 'report' }, 'report');
    const machineAfter = machineJiffies();
    const windowSeconds = (performance.now() - windowStarted) / 1000;
    const [apacheCpu, fpmCpu, nodeCpu, clientCpu] = cpuOf().map((after, i) => ((after - cpuBefore[i]!) / windowSeconds) * 100) as [number, number, number, number];
    return {
      sockets,
      opened: opened.open,
      openSeconds: opened.ms / 1000,
      answeredSockets: during.answeredSockets,
      dropped: during.dropped,
      ...load,
      apacheIdle,
      apache: apacheMax.stop(),
      phpFpm: fpmMax.stop(),
      nodeIdleMB,
      nodeMB: nodeRss.stop() / MB,
      cpu: { apache: apacheCpu, phpFpm: fpmCpu, node: nodeCpu, client: clientCpu },
      machineBusyPercent: ((machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total)) * 100,
      loadAverage: loadavg()[0]!,
    };
  } finally {
    await scope.run();
  }
}

async function startDoor(sockets: number, options: DoorOptions, scope: Teardown): Promise<{ service: BenchService; apache: RunningApache }> {
  const [internalPort] = (await freePorts(1)) as [number];
  const service = await startService(options.runner, {
    teardown: scope,
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: await createDatabase(scope),
      VALKEY_URL,
      VALKEY_KEY_PREFIX: createKeyPrefix(scope),
      JWT_SECRET: BENCH_JWT_SECRET,
      INTERNAL_API_TOKEN,
      PORTAL_INTERNAL_URL: `http://127.0.0.1:${internalPort}`,
      TRUST_PROXY: '127.0.0.1',
      // The whole crowd comes from one address (127.0.0.1 behind Apache), and one token makes the API calls.
      WS_MAX_PER_ADDRESS: String(sockets + 100),
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
      ...options.env,
    },
  });
  const apache = await startApache({
    internalPort,
    node: new URL(service.baseUrl).host,
    nodeInternalUrl: service.baseUrl,
    jwtSecret: BENCH_JWT_SECRET,
    internalApiToken: INTERNAL_API_TOKEN,
  });
  scope.defer('stop Apache and php-fpm', () => apache.stop());
  return { service, apache };
}

function memoryOf(pgid: number): Memory {
  const { processes, rssBytes: rss, pssBytes: pss } = groupMemory(pgid);
  return { processes, rssMB: rss / MB, pssMB: pss / MB };
}

/** Samples `read` every 500 ms; `stop` returns the sample with the largest PSS. */
function maxSampler(read: () => Memory) {
  let max = read();
  const timer = setInterval(() => {
    const now = read();
    if (now.pssMB > max.pssMB) max = now;
  }, 500);
  return {
    stop(): Memory {
      clearInterval(timer);
      return max;
    },
  };
}

/**
 * Sign-ins and API calls started at a fixed pace for `windowMs` (a slow answer does not slow the pace, so
 * a starved door shows as latency and failures, not as fewer samples).
 */
async function steadyLoad(origin: string, windowMs: number, token: string) {
  const loginPage: number[] = [];
  const signIn: number[] = [];
  const api: number[] = [];
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
  const signInOnce = async () => {
    const jar = new CookieJar();
    let csrf = '';
    await timed(loginPage, 'GET /login.php', async () => {
      const form = await request(`${origin}/login.php`);
      jar.store(form.setCookies);
      csrf = csrfTokenIn(form.body);
      return form.status === 200;
    });
    if (!csrf) return;
    await timed(signIn, 'POST /login.php', async () => {
      const answer = await request(`${origin}/login.php`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
        body: formBody({ csrf_token: csrf, username: 'luis.estudiante', password: 'demo1234', next: '/' }),
      });
      return answer.status === 303;
    });
  };
  const apiOnce = () =>
    timed(api, 'GET /asistencia/api/me', async () => {
      const me = await request(`${origin}/asistencia/api/me`, { headers: { authorization: `Bearer ${token}` } });
      return me.status === 200;
    });
  const running: Array<Promise<void>> = [];
  const started = Date.now();
  const paced = async (perSecond: number, work: () => Promise<void>) => {
    for (let n = 0; ; n++) {
      const at = started + (n * 1000) / perSecond;
      if (at >= started + windowMs) return;
      await sleep(at - Date.now());
      running.push(work());
    }
  };
  await Promise.all([paced(SIGN_INS_PER_SECOND, signInOnce), paced(API_CALLS_PER_SECOND, apiOnce)]);
  await Promise.all(running);
  return { loginPage: distribution(loginPage), signIn: distribution(signIn), api: distribution(api), failures };
}
