import { loadavg } from 'node:os';
import { TEST_JWT_SECRET, withAdmin, withDatabase, withValkey } from '../../test/support/environment.js';
import { spawnNode } from '../../test/support/spawn.js';
import { startChild } from '../support/lifecycle.js';
import { benchCourse } from '../support/directory.js';
import { childrenOf, commandLine, groupOf, cpuBetween, cpuSnapshot, machineBusyPercent, maxSampler, parentOf, rssBytes, syscalls } from '../support/proc.js';
import { startStack, type BenchService, type ServiceRunner, type Stack } from '../support/service.js';
import { sleep, within } from '../support/stats.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import type { handlers } from './ceiling-worker.js';
import { burst, COURSE_ID, enrollClassroom, openRound, planScans, type Classroom } from './classroom.js';

/**
 * A classroom scans and confirms, for every combination of the sizes, instances and arrival windows (the
 * students start evenly spread over `arrivalSeconds`; 0: all at once) asked for, each on a fresh database: N
 * students, each with a phone enrolled through the real API, scan one live code and confirm. Warm-up bursts
 * repeat until the cost per scan settles; then one burst is measured: the CPU of every process involved, the
 * rows committed, the receipts re-verified (docs/benchmarks.md says how).
 */
export const scanScenario: Scenario = {
  title: 'scan: a classroom scans and confirms',
  async run(context) {
    // SimpleWebAuthn's verification alone (and raw ES256), in a process of its own.
    const worker = startChild<typeof handlers>(new URL('./ceiling-worker.ts', import.meta.url), 'the ceiling process', context.teardown);
    const ceilings = await within(120_000, 'measuring the ceilings', worker.call('measure', { roundMs: 2000, rounds: 5 }));
    await worker.stop();
    const results: ScanResult[] = [];
    for (const arrivalSeconds of context.sizes('arrival') ?? [0, 10]) {
      for (const students of context.sizes('students') ?? [100, 500]) {
        for (const instances of context.sizes('instances') ?? [1, 2]) {
          context.log(`scan, N = ${students}, ${instances} instance(s), arrival ${arrivalSeconds} s`);
          results.push(await measureScan({ arrivalSeconds, students, instances }, context));
        }
      }
    }
    return { ceilings, results };
  },
};

/** PostgreSQL 15 publishes a busy backend's statistics once it has been idle 10 s: wait that out before reading them. */
const PG_STATS_SETTLE_MS = 11_000;
/** Warm-up bursts repeat until two in a row differ by less than this in CPU per scan, at least 2 and at most `--warmups` (8). */
const SETTLED = 0.1;

async function measureScan(c: { students: number; instances: number; arrivalSeconds: number }, context: ScenarioContext) {
  const { log } = context;
  let servers: BenchService[] = [];
  const lastWords = (error: unknown) => {
    for (const server of servers) log(`  the service pid ${server.pid} said, last:\n${server.output().trim().split('\n').slice(-10).join('\n')}`);
    throw error;
  };
  return context.teardown.scoped(async (scope) => {
    const stack = await startStack(context, scope, { instances: c.instances, courses: [benchCourse(COURSE_ID, c.students)] });
    servers = stack.servers;
    const classroom = await enrollClassroom(stack.url, c.students, context.sizes('clients')?.[0] ?? 2, scope);
    log(`  ${c.students} students enrolled a phone each in ${classroom.enrollSeconds.toFixed(1)} s`);
    // Through the door, Apache's balancer chooses the instance of each step; otherwise the plan spreads them.
    const plan = planScans(classroom, context.door ? [stack.url] : servers.map((s) => s.baseUrl), c.arrivalSeconds * 1000);
    const groups = await processGroups(stack, classroom);
    const run = () => meteredBurst(stack, classroom, plan, groups, context.machine.cpus);

    await sleep(PG_STATS_SETTLE_MS);
    const dbBefore = await dbCounters(stack.databaseUrl);
    const warmups = await warmUntilSettled(run, context.sizes('warmups')?.[0] ?? 8, log);
    const busyBeforePercent = await machineBusyPercent(1000);
    const measured = await run();
    for (const server of servers) if (!server.running()) throw new Error(`a service exited during the burst:\n${server.output().slice(-2000)}`);
    log(`  measured burst: ${measured.burst.successes} confirmed in ${measured.burst.wallMs.toFixed(0)} ms, ${measured.costMs.toFixed(2)} ms of CPU per scan`);

    await sleep(PG_STATS_SETTLE_MS);
    const dbAfter = await dbCounters(stack.databaseUrl);
    const bursts = [...warmups, measured];
    await checkCommitted(stack.databaseUrl, bursts);
    const receipts = await verifyReceipts(context.runner, stack.databaseUrl, groups, log);
    for (const client of classroom.clients) await client.stop();
    for (const server of servers) await server.stop();
    return {
      ...c,
      door: context.door,
      enrollSeconds: classroom.enrollSeconds,
      warmups: warmups.map((w) => ({ successes: w.burst.successes, scanP99: w.burst.scan.p99, costMs: w.costMs, errors: w.burst.errors })),
      ...measured,
      busyBeforePercent,
      dbTransactionsPerScan: (dbAfter.commits - dbBefore.commits) / bursts.reduce((sum, b) => sum + b.burst.successes, 0),
      dbRollbacks: dbAfter.rollbacks - dbBefore.rollbacks,
      receipts,
      profile: stack.profile(measured.window),
    };
  }).catch(lastWords);
}

export type ScanResult = Awaited<ReturnType<typeof measureScan>>;

/** Warm-up bursts (JIT, pools, keep-alive connections) until the CPU per scan of two in a row differs by less than SETTLED. */
async function warmUntilSettled(run: () => Promise<MeteredBurst>, most: number, log: (line: string) => void): Promise<MeteredBurst[]> {
  const warmups: MeteredBurst[] = [];
  for (let i = 0; i < most; i += 1) {
    const w = await run();
    const change = i === 0 ? NaN : Math.abs(w.costMs - warmups[i - 1]!.costMs) / warmups[i - 1]!.costMs;
    warmups.push(w);
    const moved = i === 0 ? '' : ` (${(change * 100).toFixed(0)}% from the last)`;
    log(`  warm-up ${i + 1}: ${w.burst.successes} confirmed in ${w.burst.wallMs.toFixed(0)} ms, ${w.costMs.toFixed(2)} ms of CPU per scan${moved}`);
    if (i + 1 >= Math.min(2, most) && change < SETTLED) return warmups;
  }
  log(`  the cost per scan did not settle within ${most} warm-up bursts: measuring anyway`);
  return warmups;
}

type MeteredBurst = Awaited<ReturnType<typeof meteredBurst>>;

/** A burst on a fresh round, with every meter around it: CPU by process group, system calls, Valkey commands, RSS. */
async function meteredBurst(stack: Stack, classroom: Classroom, plan: ReturnType<typeof planScans>, groups: Record<string, () => number[]>, cores: number) {
  const { servers } = stack;
  const round = await openRound(stack.url);
  const qrToken = await round.liveToken();
  const rss = servers.map((s) => maxSampler(() => rssBytes(s.pid), 50));
  const valkeyBefore = await valkeyCommands();
  const meters = () => ({ cpu: cpuSnapshot(groups), calls: servers.map((s) => syscalls(s.pid)) });
  let before = meters();
  const figures = await burst(classroom, plan, qrToken, () => (before = meters()));
  const after = meters();
  const valkeyAfter = await valkeyCommands();
  const projectorCount = await round.countReaching(figures.successes, 3000);
  round.close();
  const cpu = cpuBetween(before.cpu, after.cpu, cores);
  const per = (n: number) => n / figures.successes;
  const part = (name: string) => ({ percent: cpu.percent(name), msPerScan: per((cpu.seconds[name] ?? 0) * 1000) });
  const instances = servers.map((_, i) => ({
    ...part(`server ${i}`),
    rssMaxMB: rss[i]!.stop() / 1e6,
    writesPerScan: per(after.calls[i]!.writes - before.calls[i]!.writes),
    readsPerScan: per(after.calls[i]!.reads - before.calls[i]!.reads),
  }));
  const parts = Object.fromEntries(Object.keys(groups).filter((name) => !name.startsWith('server ')).concat('everything else').map((name) => [name, part(name)]));
  return {
    sessionId: round.sessionId,
    burst: figures,
    servers: instances,
    parts,
    /** CPU per confirmed scan, server(s) + PostgreSQL + Valkey (ms). */
    costMs: instances.reduce((sum, s) => sum + s.msPerScan, 0) + parts.PostgreSQL!.msPerScan + parts.Valkey!.msPerScan,
    machinePercent: cpu.machinePercent,
    loadAverage: loadavg()[0]!,
    valkeyCommandsPerScan: per(valkeyAfter - valkeyBefore),
    projectorCount,
    window: cpu.window,
    committedRows: NaN,
  };
}

/**
 * The processes whose CPU is metered: each instance, the load generator, this coordinator (the projector
 * sockets), PostgreSQL (its background processes and this run's backends, not anyone else's), Valkey, and
 * Apache's processes when the scans go through the door.
 */
async function processGroups({ servers, databaseUrl, apache }: Stack, classroom: Classroom): Promise<Record<string, () => number[]>> {
  const postmaster = await withAdmin(async (admin) => parentOf((await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
  const valkeyPid = Number(/^process_id:(\d+)/m.exec(await withValkey((valkey) => valkey.info('server')))?.[1]);
  const database = new URL(databaseUrl).pathname.slice(1);
  const background = /: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher)/;
  const ours = (pid: number) => commandLine(pid).includes(database) || background.test(commandLine(pid));
  return {
    ...Object.fromEntries(servers.map((server, i) => [`server ${i}`, () => [server.pid]])),
    'load generator': () => classroom.clients.map((c) => c.pid),
    coordinator: () => [process.pid],
    PostgreSQL: () => [postmaster, ...childrenOf(postmaster).filter(ours)],
    Valkey: () => (valkeyPid > 0 ? [valkeyPid] : []),
    ...(apache ? { Apache: () => groupOf(apache.pids.apache) } : {}),
  };
}

/**
 * Every "confirmed" answer must be a committed row, in every burst: fewer rows is a broken promise to a
 * student, and the run fails. More rows than answers is an answer lost after the commit (the client's 30 s
 * timeout, or the door's 502 under overload): the student was told an error and finds the scan confirmed
 * on retrying; it is counted, not fatal.
 */
async function checkCommitted(databaseUrl: string, bursts: MeteredBurst[]): Promise<void> {
  const sql = 'SELECT count(*)::int AS n FROM attendance.validations WHERE session_id = $1 AND round = 1';
  for (const b of bursts) {
    b.committedRows = await withDatabase(databaseUrl, async (db) => (await db.query<{ n: number }>(sql, [b.sessionId])).rows[0]!.n);
    if (b.committedRows < b.burst.successes) throw new Error(`INTEGRITY: a burst answered "confirmed" ${b.burst.successes} times but committed ${b.committedRows} rows`);
  }
}

async function dbCounters(databaseUrl: string): Promise<{ commits: number; rollbacks: number }> {
  const sql = 'SELECT xact_commit AS commits, xact_rollback AS rollbacks FROM pg_stat_database WHERE datname = $1';
  const row = await withAdmin(async (admin) => (await admin.query<{ commits: string; rollbacks: string }>(sql, [new URL(databaseUrl).pathname.slice(1)])).rows[0]);
  return { commits: Number(row?.commits ?? 0), rollbacks: Number(row?.rollbacks ?? 0) };
}

const valkeyCommands = async () => Number(/^total_commands_processed:(\d+)/m.exec(await withValkey((valkey) => valkey.info('stats')))?.[1] ?? NaN);

/**
 * `receipts verify --all` (the build's own command, as an operator runs it) over the run's sessions, after
 * the bursts and before the teardown: its summary line gives the receipts, the problems and its own cost;
 * PostgreSQL's CPU meanwhile is metered too. Any problem fails the run.
 */
async function verifyReceipts(runner: ServiceRunner, databaseUrl: string, groups: Record<string, () => number[]>, log: (line: string) => void) {
  const database = { PostgreSQL: groups.PostgreSQL! };
  const before = cpuSnapshot(database);
  const env = { NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, JWT_SECRET: TEST_JWT_SECRET };
  const { output, exited } = spawnNode([...runner.receiptsArgs, 'verify', '--all'], runner.cwd, env);
  const code = await exited;
  const postgresSeconds = cpuBetween(before, cpuSnapshot(database), 1).seconds.PostgreSQL!;
  const summary = /^(OK|FAILED): (\d+) receipt\(s\) in (\d+) session\(s\), (\d+) problem\(s\), (\d+) ms.*CPU (\d+) ms/m.exec(output());
  log(`  receipts verify --all: ${output().trim().split('\n').pop()}`);
  if (code !== 0 || !summary) throw new Error(`receipts verify found problems (exit ${code}):\n${output().slice(-3000)}`);
  const per = (ms: number) => ms / Number(summary[2]);
  return { receipts: Number(summary[2]), wallMsPerReceipt: per(Number(summary[5])), cpuMsPerReceipt: per(Number(summary[6])), postgresMsPerReceipt: per(postgresSeconds * 1000) };
}
