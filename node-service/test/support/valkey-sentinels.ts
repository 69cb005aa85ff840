import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePorts } from './apache.js';
import { stopProcess } from './spawn.js';

/**
 * Valkey as a highly available deployment runs it, on this machine without containers: a primary, a replica
 * and three sentinels (Debian's redis-server and redis-sentinel), each a process of the test's own on a free
 * port of 127.0.0.1. Sentinels decide fast (down after 1 s) so a failover takes seconds, not half a minute.
 * Servers and sentinels each require a password of their own, as a deployment's do.
 */
export interface OwnSentinels {
  /** The name the sentinels watch the primary under (VALKEY_SENTINEL_MASTER). */
  master: string;
  /** host:port of each sentinel, comma-separated (VALKEY_SENTINELS). */
  sentinels: string;
  /** The sentinels' own password (VALKEY_SENTINEL_PASSWORD). */
  sentinelPassword: string;
  /** A URL carrying only the servers' password (VALKEY_URL): its host names nothing that runs. */
  credentialsUrl: string;
  /** Port of the server the sentinels call primary now. */
  primaryPort(): Promise<number>;
  /** SIGKILL of the current primary: no save, no goodbye, as a crash. Returns its port. */
  killPrimary(): Promise<number>;
  /** A planned failover (SENTINEL FAILOVER): the primary stays up and is turned into a replica. Returns its port. */
  switchPrimary(): Promise<number>;
  /** Resolves once the sentinels name a primary other than `port`, and it answers as a primary. */
  failedOver(port: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.TEST_REDIS_SERVER ?? 'redis-server';
const REDIS_SENTINEL = process.env.TEST_REDIS_SENTINEL ?? 'redis-sentinel';
const MASTER = 'asistencia-test';
const SERVER_PASSWORD = 'server-secret-28';
const SENTINEL_PASSWORD = 'sentinel-secret-28';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function probe(port: number, password: string): Redis {
  const client = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  return client;
}

/** Runs `ask` against 127.0.0.1:`port` until it returns something `accept`s, or throws after `timeoutMs`. */
async function until<T>([port, password]: [number, string], ask: (client: Redis) => Promise<T>, accept: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = probe(port, password);
    try {
      await client.connect();
      const value = await ask(client);
      if (accept(value)) return value;
    } catch {
      // not up yet, or not in that state yet
    } finally {
      client.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`${what} (port ${port}) within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export async function startOwnSentinels(): Promise<OwnSentinels> {
  const [first, second, ...sentinelPorts] = await freePorts(5);
  const dir = await mkdtemp(join(tmpdir(), 'asistencia-sentinels-'));
  const servers = new Map<number, ChildProcess>();
  const sentinels: ChildProcess[] = [];
  const dataServer = (port: number, ...extra: string[]) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    args.push('--requirepass', SERVER_PASSWORD, '--masterauth', SERVER_PASSWORD, ...extra);
    servers.set(port, spawn(REDIS_SERVER, args, { stdio: 'ignore' }));
  };
  dataServer(first!);
  dataServer(second!, '--replicaof', '127.0.0.1', String(first));
  await until([second!, SERVER_PASSWORD], (c) => c.info('replication'), (info) => info.includes('master_link_status:up'), 10_000, 'the replica did not sync');

  for (const port of sentinelPorts) {
    // A sentinel rewrites its own file (it records the replicas and the other sentinels it discovers).
    const file = join(dir, `sentinel-${port}.conf`);
    await writeFile(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `requirepass ${SENTINEL_PASSWORD}`,
        `sentinel monitor ${MASTER} 127.0.0.1 ${first} 2`,
        `sentinel auth-pass ${MASTER} ${SERVER_PASSWORD}`,
        `sentinel down-after-milliseconds ${MASTER} 1000`,
        `sentinel failover-timeout ${MASTER} 5000`,
        `sentinel parallel-syncs ${MASTER} 1`,
        '',
      ].join('\n'),
    );
    sentinels.push(spawn(REDIS_SENTINEL, [file], { stdio: 'ignore' }));
  }
  // Ready when each sentinel knows the replica and the two other sentinels: only then can they agree.
  for (const port of sentinelPorts) {
    await until(
      [port, SENTINEL_PASSWORD],
      async (c) => (await c.call('SENTINEL', 'MASTER', MASTER)) as string[],
      (fields) => Number(fields[fields.indexOf('num-other-sentinels') + 1]) === 2 && Number(fields[fields.indexOf('num-slaves') + 1]) === 1,
      20_000,
      'a sentinel did not discover the replica and the other sentinels',
    );
  }

  const primaryPort = async () => {
    const [, port] = (await until([sentinelPorts[0]!, SENTINEL_PASSWORD], (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER) as Promise<string[]>, Boolean, 5000, 'no primary')) ?? [];
    return Number(port);
  };
  const kill = async (child: ChildProcess | undefined) => child && stopProcess(child, () => child.kill('SIGKILL'), 5000);
  return {
    master: MASTER,
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
    sentinelPassword: SENTINEL_PASSWORD,
    credentialsUrl: `redis://:${SERVER_PASSWORD}@unused.invalid:1`,
    primaryPort,
    async killPrimary() {
      const port = await primaryPort();
      await kill(servers.get(port));
      return port;
    },
    async switchPrimary() {
      const port = await primaryPort();
      const sentinel = probe(sentinelPorts[0]!, SENTINEL_PASSWORD);
      await sentinel.connect();
      await sentinel.call('SENTINEL', 'FAILOVER', MASTER);
      sentinel.disconnect();
      return port;
    },
    async failedOver(port, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const now = await until(
        [sentinelPorts[0]!, SENTINEL_PASSWORD],
        async (c) => Number(((await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER)) as string[])[1]),
        (named) => named !== port,
        timeoutMs,
        'the sentinels named no new primary',
      );
      await until([now, SERVER_PASSWORD], (c) => c.info('replication'), (info) => info.includes('role:master'), Math.max(0, deadline - Date.now()), 'the new primary did not take the role');
      return now;
    },
    async stop() {
      await Promise.all([...sentinels, ...servers.values()].map(kill));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
