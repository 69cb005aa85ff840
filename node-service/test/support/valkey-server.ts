import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './service.js';
import { stopProcess } from './spawn.js';

/** A redis-server of a test's own (Debian's binary), on a free port of 127.0.0.1, that it may kill and restart. */
export interface OwnValkey {
  url: string;
  port: number;
  /** SIGKILL: no save, no goodbye, as a crash. */
  kill(): Promise<void>;
  /** Starts again on the same port, empty (no persistence). */
  start(): Promise<void>;
  /** A plain client for the test's own checks (PUBSUB CHANNELS, KEYS, FLUSHALL). */
  client(): Redis;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.TEST_REDIS_SERVER ?? 'redis-server';

export async function startOwnValkey(): Promise<OwnValkey> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const clients: Redis[] = [];

  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const kill = async () => {
    const dying = child;
    child = undefined;
    if (dying) await stopProcess(dying, () => dying.kill('SIGKILL'), 5000);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    client() {
      const client = new Redis({ port, host: '127.0.0.1' });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      await kill();
    },
  };
}
