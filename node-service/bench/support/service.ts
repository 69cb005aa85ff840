import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, startApache, type RunningApache } from '../../test/support/apache.js';
import { databaseUrl, deleteKeys, TEST_JWT_SECRET, VALKEY_URL, withAdmin, withValkey } from '../../test/support/environment.js';
import { spawnNode, stopProcess, waitForReady } from '../../test/support/spawn.js';
import type { Teardown } from './lifecycle.js';
import { startDirectory, type BenchCourse } from './directory.js';
import type { ScenarioContext } from '../scenario.js';

/**
 * The real service as its own process against this machine's PostgreSQL and Valkey, each run with a fresh
 * database and key prefix that the teardown removes. It trusts the tests' portal secret, so that the tests'
 * token helpers sign in for the benchmark too. Everything stays on 127.0.0.1.
 */
export const SERVICE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The public origin, as behind Apache, for every instance: the phones' origin and RP id. */
export const PUBLIC_ORIGIN = 'http://localhost:9500';

/** A compiled build of the service (its `dist` directory): its label, its entry point, and its receipts command. */
const compiledRunner = (label: string, dist: string) => ({ label, cwd: SERVICE_ROOT, args: [join(dist, 'main.js')], receiptsArgs: [join(dist, 'cli', 'receipts.js')] });
export type ServiceRunner = ReturnType<typeof compiledRunner>;

/**
 * This working tree, compiled once by `tsc -p tsconfig.build.json` (tsx would skew the figures); tsc emits
 * even on type errors (someone may be mid-edit): say so and measure it.
 */
export async function buildService(): Promise<ServiceRunner> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = performance.now();
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: SERVICE_ROOT }).catch((error: { stdout?: string }) =>
    console.warn(`tsc reported errors; measuring what it emitted:\n${String(error.stdout ?? error).slice(0, 1500)}`),
  );
  if (!existsSync(join(SERVICE_ROOT, 'dist', 'main.js'))) throw new Error('the build produced no dist/main.js');
  process.stdout.write(`compiled ${SERVICE_ROOT} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return compiledRunner('`node dist/main.js`, compiled by tsc', join(SERVICE_ROOT, 'dist'));
}

/** Another compiled build (a directory holding main.js): a prototype, or another revision's to compare with. */
export function prebuiltRunner(dir: string): ServiceRunner {
  if (!existsSync(resolve(dir, 'main.js'))) throw new Error(`--service: no main.js in ${dir}`);
  return compiledRunner(`\`node ${resolve(dir, 'main.js')}\``, resolve(dir));
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

/**
 * Starts the service with `env` on a free port and waits until it is ready; `stop` (also the teardown's) is
 * SIGTERM, a graceful shutdown, then SIGKILL after 10 s, and resolves once the process has exited.
 */
async function startService(runner: ServiceRunner, env: Record<string, string>, teardown: Teardown, nodeArgs: string[] = []) {
  const port = await freePort();
  const { child, output } = spawnNode([...nodeArgs, ...runner.args], runner.cwd, { HOST: '127.0.0.1', PORT: String(port), ...env }, 20_000);
  const running = () => child.exitCode === null && child.signalCode === null;
  const baseUrl = `http://127.0.0.1:${port}`;
  const service = { baseUrl, pid: child.pid!, startedAt: Date.now(), running, output, stop: () => stopProcess(child, () => child.kill('SIGTERM'), 10_000) };
  teardown.defer(`stop service pid ${child.pid}`, () => service.stop());
  await waitForReady(`${baseUrl}/asistencia/ready`, 60_000, output, running);
  return service;
}
export type BenchService = Awaited<ReturnType<typeof startService>>;

/**
 * What every scenario measures: `instances` services (1) of the context's build in production mode with quiet
 * logs, sharing a fresh database and key prefix, limits no classroom of one address can reach, the portal
 * stand-in serving `courses` (none: the demo directory), the scenario's `env` and then `--env`; with `door`
 * (`--door` unless said), Apache and php-fpm in front as in production (its production MPM, its balancer
 * over every instance as compose.prod.yaml runs three). The first instance migrates the database.
 */
export async function startStack(context: ScenarioContext, teardown: Teardown, o: { instances?: number; courses?: BenchCourse[]; env?: Record<string, string>; door?: boolean } = {}) {
  const door = o.door ?? context.door;
  const stores = await freshStores(teardown);
  const directory = o.courses ? await startDirectory(o.courses, teardown) : undefined;
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
    ...(door ? { TRUST_PROXY: '127.0.0.1' } : {}),
    ...directory,
    ...o.env,
    ...context.env,
  };
  // `--profile`: each instance writes its .cpuprofile into this directory when it exits (left there for Chrome DevTools).
  const profileDir = context.profile ? mkdtempSync(join(tmpdir(), 'asistencia-cpu-prof-')) : undefined;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const servers: BenchService[] = [];
  for (let i = 0; i < (o.instances ?? 1); i += 1) servers.push(await startService(context.runner, env, teardown, nodeArgs));
  context.log(`  ${context.runner.label}: ${servers.map((s) => `pid ${s.pid} at ${s.baseUrl}`).join(', ')}`);
  const stack = {
    servers,
    databaseUrl: stores.DATABASE_URL,
    /** With `--profile`: where the profiles are, and the measured window in each one's own time (since its process started). */
    profile: (window: { from: number; to: number }) =>
      profileDir && `${profileDir} (the measured window: ${servers.map((s) => `${((window.from - s.startedAt) / 1000).toFixed(1)}–${((window.to - s.startedAt) / 1000).toFixed(1)} s`).join(', ')} after each instance's start)`,
    /** One more instance with the same settings (the soak restarts one). */
    start: () => startService(context.runner, env, teardown),
    apache: undefined as RunningApache | undefined,
    /** Where clients reach the service: the door, or the first instance. */
    url: servers[0]!.baseUrl,
  };
  if (door) {
    stack.apache = await startApache({
      internalPort: await freePort(),
      node: new URL(stack.url).host,
      moreNodes: servers.slice(1).map((s) => new URL(s.baseUrl).host),
      nodeInternalUrl: stack.url,
      jwtSecret: TEST_JWT_SECRET,
      internalApiToken: directory?.INTERNAL_API_TOKEN ?? randomBytes(24).toString('hex'),
      mpm: 'production',
      // The door's sign-ins are one user from one address, several at a time: the portal's throttle counts each until its password is checked.
      env: Object.fromEntries(['LOGIN_MAX_FAILURES', 'LOGIN_MAX_USER_FAILURES', 'LOGIN_MAX_ADDRESS_FAILURES'].map((name) => [name, '100000'])),
    });
    teardown.defer('stop Apache and php-fpm', () => stack.apache?.stop());
    stack.url = stack.apache.httpUrl;
    context.log(`  Apache pid ${stack.apache.pids.apache} at ${stack.url}, php-fpm pid ${stack.apache.pids.phpFpm}`);
  }
  return stack;
}
export type Stack = Awaited<ReturnType<typeof startStack>>;
