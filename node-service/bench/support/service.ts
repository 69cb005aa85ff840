import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { sleep } from './stats.js';
import type { Teardown } from './teardown.js';

/**
 * The real service as its own process against this machine's PostgreSQL and Valkey, with a fresh database
 * and key prefix that are removed afterwards. Everything stays on 127.0.0.1.
 */
export const SERVICE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const VALKEY_URL = 'redis://127.0.0.1:6379';
export const BENCH_JWT_SECRET = `bench-${randomBytes(24).toString('hex')}`;

/** How the service is started: the compiled JavaScript (as in production), or TypeScript through tsx. */
export interface ServiceRunner {
  label: string;
  args: string[];
}

/** Compiles the service once (`tsc -p tsconfig.build.json` into dist/), so tsx does not skew the figures. */
export async function buildService(): Promise<ServiceRunner> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = performance.now();
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: SERVICE_ROOT });
  } catch (error) {
    // tsc still emits on type errors (someone may be mid-edit): say so, and measure what was emitted.
    const output = (error as { stdout?: string }).stdout ?? String(error);
    console.warn(`tsc reported errors; measuring the JavaScript it emitted anyway:\n${output.split('\n').slice(0, 10).join('\n')}`);
  }
  if (!existsSync(`${SERVICE_ROOT}/dist/main.js`)) throw new Error('the build produced no dist/main.js');
  process.stdout.write(`service compiled (tsc -p tsconfig.build.json) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { label: '`node dist/main.js`, compiled by tsc', args: ['dist/main.js'] };
}

/** Another compiled build of the service (a directory holding main.js), e.g. a prototype to compare with. */
export function prebuiltRunner(dir: string): ServiceRunner {
  const main = resolve(dir, 'main.js');
  if (!existsSync(main)) throw new Error(`--service: no main.js in ${dir}`);
  return { label: `\`node ${main}\``, args: [main] };
}

export const tsxRunner: ServiceRunner = { label: '`node --import tsx src/main.ts`', args: ['--import', 'tsx', 'src/main.ts'] };

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A fresh, empty database (the service migrates it at start-up), dropped by the teardown. */
export async function createDatabase(teardown: Teardown): Promise<string> {
  const name = `asistencia_bench_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  teardown.defer(`drop database ${name}`, () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A Valkey key prefix of its own; the teardown deletes every key under it. */
export function createKeyPrefix(teardown: Teardown): string {
  const prefix = `asistencia-bench:${randomBytes(4).toString('hex')}:`;
  teardown.defer(`delete Valkey keys ${prefix}*`, () => deleteKeys(prefix));
  return prefix;
}

async function deleteKeys(prefix: string): Promise<void> {
  const valkey = new Redis(VALKEY_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await valkey.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await valkey.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await valkey.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    valkey.disconnect();
  }
}

/** PostgreSQL and Valkey versions, for the record. */
export async function storeVersions(): Promise<{ postgres: string; valkey: string }> {
  const postgres = await withAdmin(async (admin) => (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version);
  const valkey = new Redis(VALKEY_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await valkey.connect();
  try {
    const info = await valkey.info('server');
    const version = /^valkey_version:(.+)$/m.exec(info)?.[1] ?? /^redis_version:(.+)$/m.exec(info)?.[1];
    const name = /^valkey_version:/m.test(info) ? 'Valkey' : 'Redis';
    return { postgres: postgres.split(' ')[0]!, valkey: `${name} ${version?.trim() ?? '?'}` };
  } finally {
    valkey.disconnect();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface BenchService {
  baseUrl: string;
  pid: number;
  /** False once the process has exited, whatever the reason. */
  running(): boolean;
  output(): string;
  /** SIGTERM (graceful shutdown), SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts the service with `env` on a free port and waits until it is ready; the teardown stops it. */
export async function startService(
  runner: ServiceRunner,
  options: { env: Record<string, string>; nodeArgs?: string[]; teardown: Teardown },
): Promise<BenchService> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...runner.args], {
    cwd: SERVICE_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const service: BenchService = {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    running: () => child.exitCode === null && child.signalCode === null,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  options.teardown.defer(`stop service pid ${child.pid}`, () => service.stop());
  await waitForReady(`${service.baseUrl}/asistencia/ready`, 60_000, () => child.exitCode !== null, () => output);
  return service;
}

async function waitForReady(url: string, timeoutMs: number, hasExited: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !hasExited()) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the service did not become ready at ${url}\n${output()}`);
}
