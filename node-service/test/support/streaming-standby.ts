import { execFile as execFileCallback } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePorts } from './apache.js';
import { POSTGRES_BIN_DIR, postgresUser } from './postgres-binaries.js';

const execFile = promisify(execFileCallback);

/**
 * A PostgreSQL 15 primary and a hot standby streaming from it, both made for one test file on free ports of
 * 127.0.0.1 with this machine's binaries, data in a temporary directory. The machine's own cluster (5432)
 * allows no replication connections (its pg_hba.conf has no `replication` line) and is shared with other
 * work, so the primary is a cluster of the test's own (initdb), cloned by pg_basebackup -R. PostgreSQL
 * refuses to run as root: both run as the `postgres` user.
 */
export interface StreamingStandby {
  /** The test's database on the primary (DATABASE_URL). */
  primaryUrl: string;
  /** The same database on the standby (DATABASE_REPLICA_URL). */
  standbyUrl: string;
  /** Resolves once the standby has replayed everything the primary had written when this was called. */
  caughtUp(timeoutMs: number): Promise<void>;
  /** pg_wal_replay_pause(): the standby keeps receiving WAL but applies none, so it serves what it had. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** `pg_ctl stop -m immediate` of the standby: as a crash looks to its clients. */
  stopStandby(): Promise<void>;
  startStandby(): Promise<void>;
  /** Both servers stopped and their directory removed. */
  stop(): Promise<void>;
}

const DATABASE = 'asistencia';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function one<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startStreamingStandby(): Promise<StreamingStandby> {
  const [primaryPort, standbyPort] = await freePorts(2);
  const dir = await mkdtemp(join(tmpdir(), 'asistencia-standby-'));
  const owner = postgresUser();
  await chown(dir, owner.uid, owner.gid);
  const primaryDir = join(dir, 'primary');
  const standbyDir = join(dir, 'standby');
  const asPostgres = (tool: string, args: string[]) =>
    execFile(join(POSTGRES_BIN_DIR, tool), args, { ...owner, cwd: dir, env: { PATH: process.env.PATH ?? '', LC_ALL: 'C.UTF-8', HOME: dir }, timeout: 120_000 });
  // Small and quiet: a test's cluster, not a production one. The socket lives in the test's directory.
  const serverOptions = (port: number) => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=16MB -c max_connections=60 -c fsync=off`;
  const start = (dataDir: string, port: number, log: string) =>
    asPostgres('pg_ctl', ['-D', dataDir, '-o', serverOptions(port), '-l', join(dir, log), '-w', '-t', '60', 'start']);
  const stopServer = (dataDir: string) => asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  const admin = (port: number, database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const primaryUrl = admin(primaryPort!, DATABASE);
  const standbyUrl = admin(standbyPort!, DATABASE);

  const stop = async () => {
    await stopServer(standbyDir);
    await stopServer(primaryDir);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // initdb's pg_hba.conf lets local and 127.0.0.1 connections replicate (trust, as asked).
    await asPostgres('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
    await start(primaryDir, primaryPort!, 'primary.log');
    await one(admin(primaryPort!), (client) => client.query(`CREATE DATABASE ${DATABASE}`));
    // -R writes primary_conninfo and standby.signal: the copy starts as a streaming standby (hot_standby is on by default).
    await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standbyDir, '-R', '-X', 'stream', '-c', 'fast']);
    await start(standbyDir, standbyPort!, 'standby.log');
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    primaryUrl,
    standbyUrl,
    async caughtUp(timeoutMs) {
      const { rows } = await one(admin(primaryPort!), (client) => client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn'));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const replayed = await one(admin(standbyPort!), (client) =>
          client.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0]!.lsn]),
        ).catch(() => undefined);
        if (replayed?.rows[0]?.done) return;
        if (Date.now() > deadline) throw new Error(`the standby did not replay ${rows[0]!.lsn} within ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    pauseReplay: () => one(admin(standbyPort!), (client) => client.query('SELECT pg_wal_replay_pause()')).then(() => undefined),
    resumeReplay: () => one(admin(standbyPort!), (client) => client.query('SELECT pg_wal_replay_resume()')).then(() => undefined),
    stopStandby: () => stopServer(standbyDir).then(() => undefined),
    startStandby: () => start(standbyDir, standbyPort!, 'standby.log').then(() => undefined),
    stop,
  };
}
