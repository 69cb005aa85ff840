import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../test/support/apache.js';
import { databaseUrl, TEST_JWT_SECRET, VALKEY_URL, withAdmin } from '../../test/support/environment.js';
import { sleep } from './stats.js';
import type { Teardown } from './teardown.js';

/**
 * The real service as its own process against this machine's PostgreSQL and Valkey, each run with a fresh
 * database and key prefix that the teardown removes. It trusts the tests' portal secret, so that the tests'
 * token helpers sign in for the benchmark too. Everything stays on 127.0.0.1.
 */
export const SERVICE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export { TEST_JWT_SECRET as BENCH_JWT_SECRET };

/** A build of the service: where it runs from, its entry point, and its receipts command (a build may predate it). */
export interface ServiceRunner {
  label: string;
  cwd: string;
  args: string[];
  receiptsArgs: string[] | undefined;
}

function compiledRunner(label: string, root: string, dist = join(root, 'dist')): ServiceRunner {
  const receipts = join(dist, 'cli', 'receipts.js');
  return { label, cwd: root, args: [join(dist, 'main.js')], receiptsArgs: existsSync(receipts) ? [receipts] : undefined };
}

/** `tsc -p tsconfig.build.json` in `root`; tsc emits even on type errors (someone may be mid-edit): say so and measure it. */
async function compile(root: string): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = performance.now();
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root });
  } catch (error) {
    console.warn(`tsc reported errors in ${root}; measuring what it emitted:\n${String((error as { stdout?: string }).stdout ?? error).slice(0, 1500)}`);
  }
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
 * checkout's node_modules linked in (the baseline's dependencies must be the same: checked on the lock file).
 */
export async function buildBaseline(rev: string, teardown: Teardown): Promise<ServiceRunner> {
  const git = (...args: string[]) => execFileSync('git', ['-C', SERVICE_ROOT, ...args], { encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--verify', `${rev}^{commit}`);
  const sameLock = git('diff', '--numstat', commit, '--', '../package-lock.json') === '';
  const dir = mkdtempSync(join(tmpdir(), `asistencia-baseline-${commit.slice(0, 7)}-`));
  teardown.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const root = dirname(SERVICE_ROOT);
  execFileSync('sh', ['-c', `git -C "$1" archive "$2" | tar -x -C "$3"`, 'sh', root, commit, dir]);
  if (sameLock) {
    for (const modules of ['node_modules', 'node-service/node_modules']) {
      if (existsSync(join(root, modules))) symlinkSync(join(root, modules), join(dir, modules));
    }
  } else {
    // Its own dependencies, as its package-lock.json names them: this checkout's may lack one it imports.
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

export const tsxRunner: ServiceRunner = {
  label: '`node --import tsx src/main.ts`',
  cwd: SERVICE_ROOT,
  args: ['--import', 'tsx', 'src/main.ts'],
  receiptsArgs: ['--import', 'tsx', 'src/cli/receipts.ts'],
};

/** A fresh, empty database (the service migrates it at start-up), dropped by the teardown. */
export async function createDatabase(teardown: Teardown): Promise<string> {
  const name = `asistencia_bench_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  teardown.defer(`drop database ${name}`, () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
  return databaseUrl(name);
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

/**
 * What every scenario's service runs with: production mode, quiet logs, its own database and key prefix
 * (both removed by the teardown) and the bench's JWT secret. Scenarios add their own limits.
 */
export function serviceEnv(databaseUrl: string, teardown: Teardown): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    VALKEY_URL,
    VALKEY_KEY_PREFIX: createKeyPrefix(teardown),
    JWT_SECRET: TEST_JWT_SECRET,
  };
}

/** A Valkey key prefix of its own; the teardown deletes every key under it. */
function createKeyPrefix(teardown: Teardown): string {
  const prefix = `asistencia-bench:${randomBytes(4).toString('hex')}:`;
  teardown.defer(`delete Valkey keys ${prefix}*`, () =>
    withValkey(async (valkey) => {
      let cursor = '0';
      do {
        const [next, keys] = await valkey.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await valkey.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }),
  );
  return prefix;
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
export async function startService(runner: ServiceRunner, options: { env: Record<string, string>; nodeArgs?: string[]; teardown: Teardown }): Promise<BenchService> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...runner.args], {
    cwd: runner.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const service: BenchService = {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    running,
    output: () => output,
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  options.teardown.defer(`stop service pid ${child.pid}`, () => service.stop());
  for (const deadline = Date.now() + 60_000; Date.now() < deadline && running(); await sleep(100)) {
    if (await fetch(`${service.baseUrl}/asistencia/ready`).then((r) => r.status === 200, () => false)) return service;
  }
  throw new Error(`the service did not become ready at ${service.baseUrl}\n${output}`);
}
