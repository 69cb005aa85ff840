import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openSocket, type TestSocket } from '../../test/support/ws-client.js';
import { findProfile, summariseProfile, type ProfileSummary } from '../support/cpu-profile.js';
import { startDirectory, type BenchCourse } from '../support/directory.js';
import { sampleWaits, type WaitSummary } from '../support/pg-waits.js';
import { apiClient, demoTeacher, portalToken, type ApiClient } from '../support/portal.js';
import { rssBytes, rssSampler, syscalls } from '../support/proc.js';
import {
  BENCH_JWT_SECRET,
  createDatabase,
  createKeyPrefix,
  POSTGRES_ADMIN_URL,
  startService,
  VALKEY_URL,
  type BenchService,
  type ServiceRunner,
} from '../support/service.js';
import { sleep, within } from '../support/stats.js';
import { childrenOf, cpuBetween, cpuSnapshot, machineBusyPercent, parentOf, waitForQuietMachine } from '../support/system-cpu.js';
import type { Teardown } from '../support/teardown.js';
import { analyseBurst, type BurstFigures } from './analysis.js';
import { startLoadClient, type LoadClient } from './client-process.js';
import type { PlannedScan, ScanRecord } from './protocol.js';

/**
 * Issue 7's scan benchmark: N students of one course, each with a passkey enrolled through the real API,
 * all scan the same live QR code at once and confirm with a fresh assertion, against one service instance
 * or two sharing PostgreSQL and Valkey. The load comes from separate processes; the service's CPU, RSS and
 * the rows it committed are measured around the burst.
 */
/** The longest rotation the service allows by default: one live code covers the whole burst. */
export const ROTATION_PERIOD_MS = 30_000;
/** The public origin, as behind Apache (the dev door), for every instance: the phones' origin and RP id. */
export const PUBLIC_ORIGIN = 'http://localhost:9500';
const COURSE_ID = 'BENCH';
const TEACHER_ID = demoTeacher.sub;
const ENROL_CONCURRENCY = 16;
const RSS_SAMPLE_MS = 50;
/** PostgreSQL 15 publishes a busy backend's statistics when it has been idle 10 s: wait that out before reading them. */
const PG_STATS_SETTLE_MS = 11_000;
const GO_DELAY_MS = 300;
const BETWEEN_BURSTS_MS = 1500;
const WARMUP_ATTEMPTS = 3;
/** Before the bursts, wait (at most QUIET_WAIT_MS) for the machine to be under QUIET_PERCENT busy: it may be shared. */
export const QUIET_PERCENT = 20;
export const QUIET_WAIT_MS = 3 * 60_000;
const MB = 1e6;

export interface ScanOptions {
  /** Seconds over which the students start, evenly spread (0: all at the same instant). */
  arrivalSeconds: number;
  runner: ServiceRunner;
  teardown: Teardown;
  env: Record<string, string>;
  profile: boolean;
  /** Load-generator processes. */
  clients: number;
  cores: number;
  log: (line: string) => void;
}

interface InstanceFigures {
  pid: number;
  cpuPercent: number;
  cpuMsPerScan: number;
  rssAfterSetupMB: number;
  rssMaxMB: number;
  /** write/writev and read system calls of the instance (/proc/<pid>/io) per confirmed scan of the whole burst. */
  writesPerScan: number;
  readsPerScan: number;
}

type Part = 'load generator' | 'coordinator' | 'PostgreSQL' | 'Valkey' | 'everything else';

export interface ScanResult {
  students: number;
  arrivalSeconds: number;
  cores: number;
  instances: number;
  clients: number;
  /** The first (cold) warm-up burst. */
  warmup: BurstFigures;
  /** How many warm-up bursts ran (more than one when the machine got busy before the measurement). */
  warmupBursts: number;
  warmupsCommittedAsConfirmed: boolean;
  burst: BurstFigures;
  servers: InstanceFigures[];
  /** CPU of the other parts during the measured burst: % of one core, and ms per confirmed scan. */
  parts: Record<Part, { percent: number; msPerScan: number }>;
  /** The whole machine during the burst, % of one core (up to 100 × cores). */
  machinePercent: number;
  /** The machine's busy share just before the burst (% of all cores), to see whether anything else ran. */
  busyBeforePercent: number;
  /** PostgreSQL transactions (each statement outside BEGIN…COMMIT is one) per confirmed scan, from pg_stat_database. */
  dbTransactionsPerScan: number;
  dbRollbacks: number;
  /** Valkey commands per confirmed scan (INFO stats, whole server: anything else using it is counted too). */
  valkeyCommandsPerScan: number;
  /** The live count the projector showed after the burst. */
  projectorCount: number | null;
  enrollSeconds: number;
  profiles: ProfileSummary[];
  /** With --profile: what PostgreSQL's backends were doing during the burst. */
  waits?: WaitSummary;
}

function course(students: number): BenchCourse {
  return {
    id: COURSE_ID,
    name: `Banco de pruebas (${students} estudiantes)`,
    teacherId: TEACHER_ID,
    students: Array.from({ length: students }, (_, i) => ({ id: studentId(i), name: `Estudiante ${String(i + 1).padStart(3, '0')}` })),
  };
}

const studentId = (index: number) => String(100_000 + index);

export async function measureScan(students: number, instances: number, options: ScanOptions): Promise<ScanResult> {
  const scope = options.teardown.scope();
  const { log } = options;
  const servers: BenchService[] = [];
  try {
    const directory = await startDirectory([course(students)], scope);
    const databaseUrl = await createDatabase(scope);
    const env = serviceEnv(databaseUrl, createKeyPrefix(scope), directory.env, options.env);
    const profileDirs: string[] = [];
    // One after the other: the first migrates the fresh database, the second finds it done.
    for (let i = 0; i < instances; i += 1) {
      const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'asistencia-cpu-prof-')) : undefined;
      if (profileDir) profileDirs.push(profileDir);
      servers.push(
        await startService(options.runner, {
          teardown: scope,
          env,
          nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
        }),
      );
    }
    log(`  ${instances === 1 ? 'service' : 'services'} ${servers.map((s) => `pid ${s.pid} at ${s.baseUrl}`).join(', ')}`);
    const [first] = servers as [BenchService, ...BenchService[]];

    const teacher = apiClient(first.baseUrl, await portalToken(BENCH_JWT_SECRET, demoTeacher));
    const warmupSessions: string[] = [];
    for (let i = 0; i < WARMUP_ATTEMPTS; i += 1) warmupSessions.push(await runningSession(teacher, `Aula ${i} (calentamiento)`));
    const measuredSession = await runningSession(teacher, 'Aula 100');

    const clients = Array.from({ length: options.clients }, () => startLoadClient(scope));
    const shares = split(students, clients.length);
    const enrollStarted = performance.now();
    await enrollAll(clients, shares, first.baseUrl);
    const enrollSeconds = (performance.now() - enrollStarted) / 1000;
    log(`  ${students} students enrolled a passkey each in ${enrollSeconds.toFixed(1)} s (${clients.length} load processes)`);

    const warmupProjectors = await Promise.all(warmupSessions.map((id) => projector(first.baseUrl, id)));
    const measuredProjector = await projector(first.baseUrl, measuredSession);
    const plan = planScans(students, servers.map((s) => s.baseUrl), shares, options.arrivalSeconds * 1000);

    // PostgreSQL publishes a backend's counters once it has been idle 10 s: the setup's must be in before counting.
    await sleep(PG_STATS_SETTLE_MS);
    await waitForQuietMachine(QUIET_PERCENT, QUIET_WAIT_MS, log);
    const dbBefore = await dbCounters(databaseUrl);
    // An unmeasured burst on a session of its own first: JIT, pools and keep-alive connections warm, as on a running
    // server. Then the measured one, soon after, so that nothing has gone idle (the pool closes connections idle for
    // 10 s), unless the machine got busy meanwhile (it may be shared): then wait, warm up again, and measure.
    const warmups: BurstFigures[] = [];
    let busyBeforePercent = NaN;
    for (let attempt = 0; attempt < WARMUP_ATTEMPTS; attempt += 1) {
      const warmupRecords = await burst(clients, shares, plan, await warmupProjectors[attempt]!.liveToken(), 'warm-up');
      const warmup = analyseBurst(warmupRecords.records, warmupRecords.startAt);
      warmups.push(warmup);
      log(`  warm-up burst: ${warmup.successes} confirmed in ${warmup.wallMs.toFixed(0)} ms`);
      warmupProjectors[attempt]!.socket.close();
      busyBeforePercent = await machineBusyPercent(BETWEEN_BURSTS_MS);
      if (busyBeforePercent <= QUIET_PERCENT || attempt === WARMUP_ATTEMPTS - 1) break;
      log(`  the machine got busy (${busyBeforePercent.toFixed(0)}% in the last ${BETWEEN_BURSTS_MS / 1000} s): waiting, then warming up again`);
      await waitForQuietMachine(QUIET_PERCENT, QUIET_WAIT_MS, log);
    }
    const warmup = warmups[0]!;
    for (const unused of warmupProjectors) unused.socket.close();

    const groups = await processGroups(servers, clients, databaseUrl);
    const rssAfterSetup = servers.map((s) => rssBytes(s.pid) / MB);
    const rss = servers.map((s) => rssSampler(s.pid, RSS_SAMPLE_MS));
    const valkeyBefore = await valkeyCommands();
    const waitSampler = options.profile ? sampleWaits(new URL(databaseUrl).pathname.slice(1)) : undefined;
    let syscallsBefore = servers.map((server) => syscalls(server.pid));
    let cpuBefore = cpuSnapshot(groups);
    const measured = await burst(clients, shares, plan, await measuredProjector.liveToken(), 'measured', () => {
      syscallsBefore = servers.map((server) => syscalls(server.pid));
      cpuBefore = cpuSnapshot(groups);
    });
    const cpuAfter = cpuSnapshot(groups);
    const syscallsAfter = servers.map((server) => syscalls(server.pid));
    const waits = await waitSampler?.stop();
    const valkeyAfter = await valkeyCommands();
    const rssMax = rss.map((sampler) => sampler.stop() / MB);
    for (const server of servers) if (!server.running()) throw new Error(`a service exited during the burst:\n${server.output().slice(-2000)}`);

    const figures = analyseBurst(measured.records, measured.startAt);
    const projectorCount = await measuredProjector.countReaching(figures.successes, 3000);
    // Both bursts' transactions, read before the benchmark's own count queries below.
    await sleep(PG_STATS_SETTLE_MS);
    const dbAfter = await dbCounters(databaseUrl);
    for (const [i, w] of warmups.entries()) w.committedRows = await committedRows(databaseUrl, warmupSessions[i]!);
    figures.committedRows = await committedRows(databaseUrl, measuredSession);
    log(`  measured burst: ${figures.successes} confirmed in ${figures.wallMs.toFixed(0)} ms`);
    log(
      `  rows committed: ${warmups.map((w) => `warm-up ${w.committedRows} for ${w.successes} confirmed`).join(', ')}, ` +
        `measured ${figures.committedRows} for ${figures.successes}`,
    );
    for (const w of warmups) checkCommitted('warm-up', w);
    checkCommitted('measured', figures);
    const cpu = cpuBetween(cpuBefore, cpuAfter, options.cores);
    // What the machine did beyond the processes metered: the kernel's own work, and anyone else's programs.
    const metered = Object.values(cpu.seconds).reduce((a, b) => a + b, 0);
    cpu.seconds['everything else'] = Math.max(0, (cpu.machinePercentOfOneCore / 100) * cpu.wallSeconds - metered);
    measuredProjector.socket.close();
    for (const client of clients) await client.stop();
    for (const server of servers) await server.stop();
    const exitedAt = Date.now();
    const profiles = profileDirs.map((dir) => summariseProfile(findProfile(dir), { from: cpuBefore.at, to: cpuAfter.at, exitedAt }));

    const allSuccesses = figures.successes + warmups.reduce((sum, w) => sum + w.successes, 0);
    const perSuccess = (n: number) => (figures.successes > 0 ? n / figures.successes : NaN);
    const perScan = (seconds: number) => (figures.successes > 0 ? (seconds * 1000) / figures.successes : NaN);
    const percent = (seconds: number) => (seconds / cpu.wallSeconds) * 100;
    const part = (name: string) => ({ percent: percent(cpu.seconds[name] ?? 0), msPerScan: perScan(cpu.seconds[name] ?? 0) });
    return {
      students,
      arrivalSeconds: options.arrivalSeconds,
      cores: options.cores,
      instances,
      clients: clients.length,
      warmup,
      warmupsCommittedAsConfirmed: warmups.every((w) => w.committedRows === w.successes),
      warmupBursts: warmups.length,
      burst: figures,
      servers: servers.map((server, i) => ({
        pid: server.pid,
        cpuPercent: percent(cpu.seconds[`server ${i}`] ?? 0),
        cpuMsPerScan: perScan(cpu.seconds[`server ${i}`] ?? 0),
        rssAfterSetupMB: rssAfterSetup[i]!,
        rssMaxMB: rssMax[i]!,
        writesPerScan: perSuccess(syscallsAfter[i]!.writes - syscallsBefore[i]!.writes),
        readsPerScan: perSuccess(syscallsAfter[i]!.reads - syscallsBefore[i]!.reads),
      })),
      parts: {
        'load generator': part('load generator'),
        coordinator: part('coordinator'),
        PostgreSQL: part('PostgreSQL'),
        Valkey: part('Valkey'),
        'everything else': part('everything else'),
      },
      machinePercent: cpu.machinePercentOfOneCore,
      busyBeforePercent,
      dbTransactionsPerScan: allSuccesses > 0 ? (dbAfter.commits - dbBefore.commits) / allSuccesses : NaN,
      dbRollbacks: dbAfter.rollbacks - dbBefore.rollbacks,
      valkeyCommandsPerScan: perSuccess(valkeyAfter - valkeyBefore),
      projectorCount,
      enrollSeconds,
      profiles,
      ...(waits ? { waits } : {}),
    } satisfies ScanResult;
  } catch (error) {
    for (const server of servers) log(`  the service pid ${server.pid} said, last:\n${server.output().trim().split('\n').slice(-10).join('\n')}`);
    throw error;
  } finally {
    await scope.run();
  }
}

function serviceEnv(databaseUrl: string, keyPrefix: string, directory: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    VALKEY_URL,
    VALKEY_KEY_PREFIX: keyPrefix,
    JWT_SECRET: BENCH_JWT_SECRET,
    PUBLIC_URL: PUBLIC_ORIGIN,
    // All the traffic comes from 127.0.0.1: the per-address and per-user limits would stop a classroom of one address.
    RATE_LIMIT_SCAN_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
    ...directory,
    ...extra,
  };
}

/** A session of the bench course with the longest rotation, opened (its roster registered) and in round 1. */
async function runningSession(teacher: ApiClient, room: string): Promise<string> {
  const start = new Date();
  const { id } = await teacher<{ id: string }>('POST', '/api/sessions', 201, {
    courseId: COURSE_ID,
    room,
    plannedStart: start.toISOString(),
    plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString(),
    roundsPlanned: 1,
    rotationPeriodMs: ROTATION_PERIOD_MS,
  });
  await teacher('POST', `/api/sessions/${id}/open`, 200, {});
  await teacher('POST', `/api/sessions/${id}/rounds`, 200, {});
  return id;
}

/** Contiguous blocks of students, one per load process. */
function split(students: number, parts: number): number[][] {
  return Array.from({ length: parts }, (_, p) => {
    const from = Math.floor((p * students) / parts);
    const to = Math.floor(((p + 1) * students) / parts);
    return Array.from({ length: to - from }, (_, i) => from + i);
  });
}

async function enrollAll(clients: LoadClient[], shares: number[][], baseUrl: string): Promise<void> {
  const answers = await Promise.all(
    clients.map(async (client, c) => {
      const students = await Promise.all(
        shares[c]!.map(async (index) => ({
          index,
          portalToken: await portalToken(BENCH_JWT_SECRET, { sub: studentId(index), role: 'student', name: `Estudiante ${index + 1}` }),
        })),
      );
      return within(120_000 + students.length * 200, 'enrolling passkeys', client.ask({
        type: 'enrol',
        baseUrl,
        origin: PUBLIC_ORIGIN,
        rpId: new URL(PUBLIC_ORIGIN).hostname,
        students,
        concurrency: ENROL_CONCURRENCY,
      }, 'enrolled'));
    }),
  );
  const failures = answers.flatMap((a) => a.failures);
  if (failures.length > 0) throw new Error(`enrolment failed for ${failures.length}+ students: ${failures.slice(0, 5).join('; ')}`);
}

/**
 * Which instance each student's two steps go to, and when the student starts. With two instances the
 * students are spread evenly over the four ways (A→A, B→A, A→B, B→B): half confirm on the instance that did
 * not issue their challenge. With an arrival window the starts are evenly spaced over it, taking the load
 * processes in turn (their shares are contiguous blocks of students).
 */
function planScans(students: number, bases: string[], shares: number[][], arrivalMs: number): PlannedScan[] {
  const offsets = new Map<number, number>();
  for (const [p, share] of shares.entries()) {
    for (const [j, index] of share.entries()) offsets.set(index, Math.round(((j * shares.length + p) * arrivalMs) / students));
  }
  return Array.from({ length: students }, (_, index) => ({
    index,
    challengeBase: bases[index % bases.length]!,
    confirmBase: bases[Math.floor(index / bases.length) % bases.length]!,
    offsetMs: offsets.get(index) ?? 0,
  }));
}

/** Every load process starts its share from the same moment (each student at its offset); resolves with every record once all are done. */
async function burst(
  clients: LoadClient[],
  shares: number[][],
  plan: PlannedScan[],
  qrToken: string,
  label: string,
  atStart: () => void = () => undefined,
) {
  const startAt = Date.now() + GO_DELAY_MS;
  // The meters start when the students do (the load processes wait for the same moment).
  const started = sleep(startAt - Date.now()).then(atStart);
  const answers = await within(
    120_000,
    `the ${label} burst`,
    Promise.all(
      clients.map((client, c) =>
        client.ask(
          { type: 'burst', label, qrToken, startAt, concurrency: shares[c]!.length, scans: shares[c]!.map((index) => plan[index]!) },
          'burst-done',
        ),
      ),
    ),
  );
  await started;
  const records: ScanRecord[] = answers.flatMap((a) => a.records);
  return { records, startAt };
}

interface Projector {
  socket: TestSocket;
  /**
   * The code on the projector now: the newest frame received (one per rotation). It scans for the rest of its
   * slot plus one period of grace, so at least one period: the bursts take seconds.
   */
  liveToken(): Promise<string>;
  /** Waits until the projector's live count reaches `expected` (or `ms` passed); the last count seen. */
  countReaching(expected: number, ms: number): Promise<number | null>;
}

/** The teacher's projector for `sessionId`: the live QR token, and the live count as it moves. */
async function projector(baseUrl: string, sessionId: string): Promise<Projector> {
  const socket = await openSocket(`${baseUrl.replace('http:', 'ws:')}/asistencia/ws`);
  socket.send({ type: 'auth', token: await portalToken(BENCH_JWT_SECRET, demoTeacher) });
  await socket.next('auth.ok');
  socket.send({ type: 'projector.subscribe', sessionId });
  await socket.next('projector.state');
  const tokenOf = (frame: Record<string, unknown>) => {
    const token = String(frame.url).split('#')[1];
    if (!token) throw new Error(`the projector's QR URL carries no token: ${String(frame.url)}`);
    return token;
  };
  // Frames arrive during the slot before their own; the screen shows one from its slotStartsAt on.
  const startsAt = (frame: Record<string, unknown>) => Number(frame.slotStartsAt);
  let onScreen: Record<string, unknown> | undefined;
  let upcoming: Record<string, unknown> | undefined;
  const take = (frame: Record<string, unknown>) => {
    if (startsAt(frame) <= Date.now()) onScreen = frame;
    else upcoming = frame;
  };
  take(await socket.next('qr', 10_000));
  return {
    socket,
    async liveToken() {
      // Frames queue up while nobody reads them: the newest whose slot has begun is the code on screen.
      for (;;) {
        try {
          take(await socket.next('qr', 1));
        } catch {
          break;
        }
      }
      if (upcoming && startsAt(upcoming) <= Date.now()) [onScreen, upcoming] = [upcoming, undefined];
      if (!onScreen && upcoming) {
        const next = upcoming;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, startsAt(next) - Date.now() + 2)));
        onScreen = next;
      }
      return tokenOf(onScreen!);
    },
    async countReaching(expected, ms) {
      const deadline = Date.now() + ms;
      let last: number | null = null;
      while (Date.now() < deadline && (last === null || last < expected)) {
        try {
          const message = await socket.next('count', Math.max(1, deadline - Date.now()));
          last = Number((message as { confirmed?: number }).confirmed);
        } catch {
          break;
        }
      }
      return last;
    },
  };
}

async function committedRows(databaseUrl: string, sessionId: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance.validations WHERE session_id = $1 AND round = 1', [sessionId]);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

/** Committed rows must equal successes, always: anything else is a broken promise to a student, and the run fails. */
function checkCommitted(label: string, figures: BurstFigures): void {
  if (figures.committedRows !== figures.successes) {
    throw new Error(
      `INTEGRITY: the ${label} burst answered "confirmed" ${figures.successes} times but attendance.validations holds ` +
        `${figures.committedRows} rows for the round`,
    );
  }
}

/**
 * The processes whose CPU is metered: each instance, the load generator, this coordinating process (the
 * projectors), PostgreSQL (its background processes and the backends of this run's database, not those of
 * anyone else's database) and Valkey. Listed again at each snapshot: the pool may open backends mid-burst.
 */
async function processGroups(servers: BenchService[], clients: LoadClient[], databaseUrl: string): Promise<Record<string, () => number[]>> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  const backend = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const postmaster = parentOf(backend);
  await admin.end();
  const valkey = new Redis(VALKEY_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await valkey.connect();
  const valkeyPid = Number(/^process_id:(\d+)/m.exec(await valkey.info('server'))?.[1]);
  valkey.disconnect();
  const database = new URL(databaseUrl).pathname.slice(1);
  const ours = (pid: number) => {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return title.includes(database) || POSTGRES_BACKGROUND.test(title);
    } catch {
      return false;
    }
  };
  const groups: Record<string, () => number[]> = {};
  servers.forEach((server, i) => (groups[`server ${i}`] = () => [server.pid]));
  groups['load generator'] = () => clients.map((c) => c.pid);
  groups.coordinator = () => [process.pid];
  groups.PostgreSQL = () => [postmaster, ...childrenOf(postmaster).filter(ours)];
  groups.Valkey = () => (Number.isInteger(valkeyPid) && valkeyPid > 0 ? [valkeyPid] : []);
  return groups;
}

const POSTGRES_BACKGROUND = /: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|stats collector)/;

async function dbCounters(databaseUrl: string): Promise<{ commits: number; rollbacks: number }> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ commits: string; rollbacks: string }>(
      'SELECT xact_commit AS commits, xact_rollback AS rollbacks FROM pg_stat_database WHERE datname = $1',
      [name],
    );
    return { commits: Number(rows[0]?.commits ?? 0), rollbacks: Number(rows[0]?.rollbacks ?? 0) };
  } finally {
    await admin.end();
  }
}

async function valkeyCommands(): Promise<number> {
  const valkey = new Redis(VALKEY_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await valkey.connect();
  try {
    return Number(/^total_commands_processed:(\d+)/m.exec(await valkey.info('stats'))?.[1] ?? NaN);
  } finally {
    valkey.disconnect();
  }
}

