import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, startApache, type RunningApache } from '../../test/support/apache.js';
import { databaseUrl, deleteKeys, TEST_JWT_SECRET, VALKEY_URL, withAdmin } from '../../test/support/environment.js';
import { spawnNode, waitForReady } from '../../test/support/spawn.js';
import { stopProcess } from './child.js';
import { profiler } from './cpu-profile.js';
import { startDirectory, type BenchCourse } from './directory.js';
import type { Teardown } from './teardown.js';

/**
 * The real service as its own process against this machine's PostgreSQL and Valkey, each run with a fresh
 * database and key prefix that the teardown removes. It trusts the tests' portal secret, so that the tests'
 * token helpers sign in for the benchmark too. Everything stays on 127.0.0.1.
 */
export const SERVICE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The public origin, as behind Apache, for every instance: the phones' origin and RP id. */
export const PUBLIC_ORIGIN = 'http://localhost:9500';

/** A build of the service: where it runs from, its entry point, and its receipts command. */
export interface ServiceRunner {
  label: string;
  cwd: string;
  args: string[];
  receiptsArgs: string[];
}

const compiledRunner = (label: string, root: string, dist = join(root, 'dist')): ServiceRunner => ({
  label,
  cwd: root,
  args: [join(dist, 'main.js')],
  receiptsArgs: [join(dist, 'cli', 'receipts.js')],
});

/** git in this checkout; `--no-optional-locks` keeps `git status` from rewriting the index. */
export const git = (...args: string[]) =>
  execFileSync('git', ['--no-optional-locks', '-C', SERVICE_ROOT, ...args], { encoding: 'utf8' }).trim();

/** `tsc -p tsconfig.build.json` in `root`; tsc emits even on type errors (someone may be mid-edit): say so and measure it. */
async function compile(root: string): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = performance.now();
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root }).catch((error: { stdout?: string }) =>
    console.warn(`tsc reported errors in ${root}; measuring what it emitted:\n${String(error.stdout ?? error).slice(0, 1500)}`),
  );
  if (!existsSync(join(root, 'dist', 'main.js'))) throw new Error(`the build in ${root} produced no dist/main.js`);
  process.stdout.write(`compiled ${root} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/** This working tree, compiled once (tsx would skew the figures). */
export async function buildService(): Promise<ServiceRunner> {
  await compile(SERVICE_ROOT);
  return compiledRunner('`node dist/main.js`, compiled by tsc', SERVICE_ROOT);
}

/**
 * `rev` built aside for an A/B run: its tree exported (git archive) into a temporary directory, with this
 * checkout's node_modules linked in when the lock files are the same, else its own installed (npm ci).
 */
export async function buildBaseline(rev: string, teardown: Teardown): Promise<ServiceRunner> {
  const commit = git('rev-parse', '--verify', `${rev}^{commit}`);
  const dir = mkdtempSync(join(tmpdir(), `asistencia-baseline-${commit.slice(0, 7)}-`));
  teardown.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const root = dirname(SERVICE_ROOT);
  execFileSync('sh', ['-c', `git -C "$1" archive "$2" | tar -x -C "$3"`, 'sh', root, commit, dir]);
  if (git('diff', '--numstat', commit, '--', '../package-lock.json') === '') {
    for (const modules of ['node_modules', 'node-service/node_modules']) if (existsSync(join(root, modules))) symlinkSync(join(root, modules), join(dir, modules));
  } else {
    console.warn(`--baseline: ${rev}'s package-lock.json differs from this checkout's: installing its own dependencies`);
    execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
  }
  await compile(join(dir, 'node-service'));
  return compiledRunner(`baseline ${git('log', '-1', '--format=%h (%s)', commit)}, compiled aside`, join(dir, 'node-service'));
}

/** Another compiled build (a directory holding main.js), e.g. a prototype. */
export function prebuiltRunner(dir: string): ServiceRunner {
  if (!existsSync(resolve(dir, 'main.js'))) throw new Error(`--service: no main.js in ${dir}`);
  return compiledRunner(`\`node ${resolve(dir, 'main.js')}\``, SERVICE_ROOT, resolve(dir));
}

/** A Valkey client for one piece of work. */
export async function withValkey<T>(work: (valkey: Redis) => Promise<T>): Promise<T> {
  const valkey = new Redis(VALKEY_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await valkey.connect();
  try {
    return await work(valkey);
  } finally {
    valkey.disconnect();
  }
}

/** A fresh, empty database (the service migrates it at start-up) and a Valkey key prefix, both removed by the teardown. */
async function freshStores(teardown: Teardown): Promise<{ DATABASE_URL: string; VALKEY_KEY_PREFIX: string }> {
  const name = `asistencia_bench_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  teardown.defer(`drop database ${name}`, () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
  const prefix = `asistencia-bench:${randomBytes(4).toString('hex')}:`;
  teardown.defer(`delete Valkey keys ${prefix}*`, () => withValkey((valkey) => deleteKeys(valkey, prefix)));
  return { DATABASE_URL: databaseUrl(name), VALKEY_KEY_PREFIX: prefix };
}

export interface BenchService {
  baseUrl: string;
  pid: number;
  running(): boolean;
  output(): string;
  /** SIGTERM (graceful shutdown), SIGKILL after 10 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Starts the service with `env` on a free port and waits until it is ready; the teardown stops it. */
async function startService(runner: ServiceRunner, env: Record<string, string>, teardown: Teardown, nodeArgs: string[] = []): Promise<BenchService> {
  const port = await freePort();
  const { child, output } = spawnNode([...nodeArgs, ...runner.args], runner.cwd, { HOST: '127.0.0.1', PORT: String(port), ...env }, 20_000);
  const running = () => child.exitCode === null && child.signalCode === null;
  const baseUrl = `http://127.0.0.1:${port}`;
  const service = { baseUrl, pid: child.pid!, running, output, stop: () => stopProcess(child, () => child.kill('SIGTERM'), 10_000) };
  teardown.defer(`stop service pid ${child.pid}`, () => service.stop());
  await waitForReady(`${baseUrl}/asistencia/ready`, 60_000, output, running);
  return service;
}

export interface Stack {
  servers: BenchService[];
  databaseUrl: string;
  /** `--profile`: one profiler per instance. */
  profiles: Array<ReturnType<typeof profiler> | undefined>;
  /** One more instance with the same settings (the soak restarts one). */
  start(): Promise<BenchService>;
  apache?: RunningApache;
  /** Where clients reach the service: the door, or the first instance. */
  url: string;
}

/**
 * What every scenario measures: `instances` services (1) in production mode with quiet logs, sharing a fresh
 * database and key prefix, with the bench's JWT secret, limits no classroom of one address can reach, the
 * portal stand-in serving `courses` (none: the demo directory), the scenario's `env` and then `--env`; with
 * `door`, Apache and php-fpm in front as in production (apache-config/, its production MPM, its balancer over
 * every instance as compose.prod.yaml runs three). The instances
 * start one after the other: the first migrates the database, the next find it done.
 */
export async function startStack(o: {
  runner: ServiceRunner;
  teardown: Teardown;
  instances?: number;
  courses?: BenchCourse[];
  env: Record<string, string>;
  profile?: boolean;
  door?: boolean;
  log(line: string): void;
}): Promise<Stack> {
  const stores = await freshStores(o.teardown);
  const directory = o.courses ? await startDirectory(o.courses, o.teardown) : undefined;
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    ...stores,
    VALKEY_URL,
    JWT_SECRET: TEST_JWT_SECRET,
    PUBLIC_URL: PUBLIC_ORIGIN,
    // All the traffic comes from 127.0.0.1, and one teacher projects every session.
    RATE_LIMIT_SCAN_PER_MINUTE: '1000000',
    ...Object.fromEntries(['RATE_LIMIT_USER_PER_MINUTE', 'RATE_LIMIT_PUBLIC_PER_MINUTE', 'WS_MAX_PER_USER', 'WS_MAX_PER_ADDRESS'].map((name) => [name, '100000'])),
    ...(o.door ? { TRUST_PROXY: '127.0.0.1' } : {}),
    ...directory,
    ...o.env,
  };
  const stack: Stack = { servers: [], databaseUrl: stores.DATABASE_URL, profiles: [], start: () => startService(o.runner, env, o.teardown), url: '' };
  for (let i = 0; i < (o.instances ?? 1); i += 1) {
    const profile = o.profile ? profiler() : undefined;
    stack.servers.push(await startService(o.runner, env, o.teardown, profile?.nodeArgs));
    stack.profiles.push(profile);
  }
  stack.url = stack.servers[0]!.baseUrl;
  o.log(`  ${o.runner.label}: ${stack.servers.map((s) => `pid ${s.pid} at ${s.baseUrl}`).join(', ')}`);
  if (o.door) {
    const apache = await startApache({
      internalPort: await freePort(),
      node: new URL(stack.url).host,
      moreNodes: stack.servers.slice(1).map((s) => new URL(s.baseUrl).host),
      nodeInternalUrl: stack.url,
      jwtSecret: TEST_JWT_SECRET,
      internalApiToken: directory?.INTERNAL_API_TOKEN ?? randomBytes(24).toString('hex'),
      mpm: 'production',
      // The door's sign-ins are one user from one address, several at a time: the portal's throttle counts each until its password is checked.
      env: Object.fromEntries(['LOGIN_MAX_FAILURES', 'LOGIN_MAX_USER_FAILURES', 'LOGIN_MAX_ADDRESS_FAILURES'].map((name) => [name, '100000'])),
    });
    o.teardown.defer('stop Apache and php-fpm', () => apache.stop());
    [stack.apache, stack.url] = [apache, apache.httpUrl];
    o.log(`  Apache pid ${apache.pids.apache} at ${stack.url}, php-fpm pid ${apache.pids.phpFpm}`);
  }
  return stack;
}
