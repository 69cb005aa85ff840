import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { migrate } from '../../src/shared/storage/migrations.js';
import { openDatabase, openKeyValueStore, openReplica } from '../../src/shared/storage/open.js';
import type { KeyValueStore } from '../../src/shared/storage/key-value.js';
import type { SqlDatabase } from '../../src/shared/storage/sql.js';
import type { SteppedClock } from './stepped-clock.js';
import { createTestDatabase, testKeyPrefix, type TestDatabase } from './databases.js';
import { TEST_JWT_SECRET, VALKEY_URL } from './environment.js';
import { SERVICE_ROOT, serviceEntry } from './service-build.js';
import { spawnNode } from './spawn.js';

export { SERVICE_ROOT };
export { TEST_JWT_SECRET };
/** One free-port helper for all of test/support (and the benchmark). */
export { freePort } from './apache.js';

export interface RunningService {
  baseUrl: string;
  port: number;
  config: Config;
  app: App;
  db: SqlDatabase;
  store: KeyValueStore;
  /** The clock the service judges codes on, when the test steps it (ServiceOptions.clock). */
  clock?: SteppedClock;
  /** The clock the service judges portal tokens on, when the test steps it (ServiceOptions.tokenClock). */
  tokenClock?: SteppedClock;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Settings as environment variables; the defaults point at this run's own database and key prefix. */
  env?: Record<string, string | undefined>;
  /** Reuse a database (e.g. for a second instance); otherwise a fresh one is made and dropped at stop. */
  database?: TestDatabase;
  /** Use the embedded stores (PGlite in memory and the in-process store) instead of the real servers. */
  embedded?: boolean;
  /**
   * A clock the test steps (slots begin and codes expire when the test says, not after a real wait); the
   * service's shared clock otherwise. Only for a service no other process judges codes for.
   */
  clock?: SteppedClock;
  /**
   * A clock the test steps for portal tokens: their `exp`, `nbf` and `iat`, and a socket's end at its
   * token's `exp`; this host's clock otherwise. Tokens the test signs must then be dated on it.
   */
  tokenClock?: SteppedClock;
}

/**
 * The real service in this process, listening on a free port of 127.0.0.1, against real PostgreSQL and
 * Valkey (fresh database and key prefix) unless `embedded`.
 */
export async function startService(options: ServiceOptions = {}): Promise<RunningService> {
  const ownDatabase = options.embedded || options.database ? undefined : await createTestDatabase();
  const database = options.database ?? ownDatabase;
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '3000',
    JWT_SECRET: TEST_JWT_SECRET,
    ...(options.embedded
      ? { DATA_DIR: 'memory://' }
      : { DATABASE_URL: database!.url, VALKEY_URL, VALKEY_KEY_PREFIX: testKeyPrefix() }),
    ...options.env,
  };
  const config = loadConfig(env);
  const db = await openDatabase(config);
  const store = openKeyValueStore(config);
  const replica = openReplica(config);
  await migrate(db, config.migrationsDir, config.functionsDir);
  const clocks = { ...(options.clock ? { clock: options.clock } : {}), ...(options.tokenClock ? { tokenClock: options.tokenClock } : {}) };
  const app = await buildApp({ config, db, store, ...(replica ? { replica } : {}), ...clocks });
  await app.server.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    config,
    app,
    db,
    store,
    ...clocks,
    async stop() {
      app.gateway.closeAll();
      await settleWithin(STOP_STEP_MS, { 'the HTTP server': app.server.close() });
      await settleWithin(STOP_STEP_MS, {
        'the PostgreSQL pool': db.close(),
        'the Valkey connection': store.close(),
        ...(replica ? { 'the replica pool': replica.close() } : {}),
      });
      // WITH (FORCE): also ends any connection a pool above could not close.
      await ownDatabase?.drop();
    },
  };
}

/**
 * A stop that hangs holds its whole test file until the hook's timeout, with nothing said of why (seen once in
 * a full run on a slow machine, never alone). Each step gets this long; one still pending is named on stderr
 * and the stop goes on, so the file's database is still dropped.
 */
const STOP_STEP_MS = 15_000;

async function settleWithin(ms: number, steps: Record<string, Promise<unknown>>): Promise<void> {
  const pending = new Set(Object.keys(steps));
  const settled = Promise.allSettled(Object.entries(steps).map(([name, step]) => step.finally(() => pending.delete(name))));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  if ((await Promise.race([settled, late])) === 'late') {
    console.warn(`startService().stop(): ${[...pending].join(', ')} still closing after ${ms} ms; going on without waiting`);
  }
  clearTimeout(timer);
}

export interface SpawnedService {
  baseUrl: string;
  process: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The service as its own process (the run's compiled `main`), for start-up, shutdown and multi-instance tests. */
export function spawnService(env: Record<string, string>, port: number): SpawnedService {
  // JSON lines: tests read the log (operator.ts); people running it see the pretty default.
  const settings = { LOG_LEVEL: 'info', LOG_FORMAT: 'json', PORT: String(port), ...env };
  const { child, output, exited } = spawnNode(serviceEntry('main'), SERVICE_ROOT, settings);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    process: child,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Two instances sharing one database and one Valkey key prefix, as behind Apache's balancer, with one
 * public origin (students reach one URL, whichever instance answers). Clocks given are shared by both.
 */
export async function startTwoInstances(env: Record<string, string> = {}, clocks: Pick<ServiceOptions, 'clock' | 'tokenClock'> = {}) {
  const database = await createTestDatabase();
  const shared = { VALKEY_KEY_PREFIX: testKeyPrefix(), ...env };
  const a = await startService({ database, env: shared, ...clocks });
  const b = await startService({ database, env: shared, ...clocks });
  return {
    a,
    b,
    async stop() {
      await Promise.allSettled([a.stop(), b.stop()]);
      await database.drop();
    },
  };
}
