import { spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePorts } from './apache.js';
import { POSTGRES_BIN_DIR, postgresUser } from './postgres-binaries.js';

/**
 * PostgreSQL as a highly available deployment runs it, on this machine without containers: one etcd
 * member, two PostgreSQL 15 servers each under its own Patroni, and HAProxy in front sending connections to
 * whichever node Patroni's REST API calls primary (`GET /primary` answers 200 only there). All are
 * processes of the test's own on free ports of 127.0.0.1, data in a temporary directory. PostgreSQL refuses
 * to run as root, so Patroni (and the PostgreSQL it starts) run as the `postgres` user.
 *
 * Patroni decides fast (leader key TTL 10 s, a loop every second) so a crash fails over in seconds.
 */
export interface PatroniCluster {
  /** The database the service uses, through HAProxy (DATABASE_URL). */
  url: string;
  /** Name of the member Patroni calls leader now (from its REST API). */
  leader(): Promise<string>;
  /** A planned switch (Patroni's `POST /switchover`): the primary stops cleanly and the standby takes over. Returns the old leader. */
  switchover(): Promise<string>;
  /** Resolves once one member leads and the other streams from it (as a synchronous standby when so set). */
  healthy(timeoutMs: number): Promise<void>;
  /** SIGSTOP of the primary's WAL sender: the standby receives nothing more, as on a stalled link (until the crash). */
  pauseReplication(): Promise<void>;
  /** The leader's node crashes: SIGKILL of its Patroni and of its PostgreSQL (postmaster and backends). Returns its name. */
  crashLeader(): Promise<string>;
  /** Resolves once a member other than `name` answers `GET /primary` with 200 and HAProxy reaches it; returns it. */
  failedOver(name: string, timeoutMs: number): Promise<string>;
  /** Patroni's and HAProxy's output, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

export interface PatroniOptions {
  /** Patroni's synchronous_mode: a commit returns once the standby has flushed it. */
  synchronous: boolean;
  /** Leave out HAProxy's check of Patroni's REST API (it then sends to any node that accepts TCP). */
  healthCheck?: boolean;
}

const SCOPE = 'asistencia-test';
const DATABASE = 'asistencia';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Member {
  name: string;
  pgPort: number;
  apiPort: number;
  dataDir: string;
  process?: ChildProcess;
}

async function poll<T>(ask: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await ask();
      if (value !== undefined) return value;
    } catch {
      // not up yet, or not in that state yet
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** One command on HAProxy's stats socket; its whole answer. */
function askHaproxy(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const connection = connect(socket, () => connection.end(`${command}\n`));
    connection.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    connection.once('end', () => resolve(answer));
    connection.once('error', reject);
  });
}

/** The servers `show stat` (CSV) lists as UP. */
function serversUp(stat: string): string[] {
  const [header, ...rows] = stat.replace(/^# /, '').trim().split('\n').map((line) => line.split(','));
  const column = (name: string) => header!.indexOf(name);
  return rows.filter((row) => !['FRONTEND', 'BACKEND'].includes(row[column('svname')]!) && row[column('status')] === 'UP').map((row) => row[column('svname')]!);
}

async function isPrimary(member: Member): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${member.apiPort}/primary`, { signal: AbortSignal.timeout(1000) });
  return response.status === 200;
}

/** Patroni's settings for one member (YAML is a superset of JSON). */
function patroniConfig(member: Member, dir: string, etcdPort: number, options: PatroniOptions): string {
  return JSON.stringify({
    scope: SCOPE,
    name: member.name,
    restapi: { listen: `127.0.0.1:${member.apiPort}`, connect_address: `127.0.0.1:${member.apiPort}` },
    etcd3: { hosts: [`127.0.0.1:${etcdPort}`] },
    bootstrap: {
      dcs: {
        ttl: 10,
        loop_wait: 1,
        retry_timeout: 3,
        synchronous_mode: options.synchronous,
        // A lagging replica may still be promoted: without synchronous_mode that is where commits are lost.
        maximum_lag_on_failover: 1 << 30,
        postgresql: {
          use_pg_rewind: false,
          parameters: { wal_level: 'replica', hot_standby: 'on', max_wal_senders: 5, max_replication_slots: 5, max_connections: 100 },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }],
      pg_hba: ['local all all trust', 'host replication replicator 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 trust'],
    },
    postgresql: {
      listen: `127.0.0.1:${member.pgPort}`,
      connect_address: `127.0.0.1:${member.pgPort}`,
      data_dir: member.dataDir,
      bin_dir: POSTGRES_BIN_DIR,
      pgpass: join(dir, `pgpass-${member.name}`),
      authentication: {
        superuser: { username: 'postgres', password: 'postgres-28' },
        replication: { username: 'replicator', password: 'replicator-28' },
      },
      parameters: { unix_socket_directories: dir },
    },
  });
}

function haproxyConfig(port: number, members: Member[], healthCheck: boolean, statsSocket: string): string {
  const check = healthCheck ? ['  option httpchk GET /primary', '  http-check expect status 200'] : [];
  return [
    'global',
    '  maxconn 2000',
    `  stats socket ${statsSocket} mode 600 level user`,
    'defaults',
    '  mode tcp',
    // Every check that changes a server's health, with its reason, on stderr (HAProxy prints its warnings
    // there in the foreground): in a failing test's message.
    '  option log-health-checks',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    // Patroni's REST API is Python: on a machine busy with the rest of the suite it can take over a second to
    // answer, and two such checks marked the primary down and cut the service's connections
    // (shutdown-sessions) while it migrated. A crashed node refuses the check's connection at once, whatever
    // this timeout.
    '  timeout check 3s',
    'listen postgres',
    `  bind 127.0.0.1:${port}`,
    ...check,
    // Checked every 300 ms; down after three failures, up after one success; its connections cut when down.
    '  default-server inter 300ms fall 3 rise 1 on-marked-down shutdown-sessions',
    ...members.map((m) => `  server ${m.name} 127.0.0.1:${m.pgPort}${healthCheck ? ` check port ${m.apiPort}` : ''}`),
    '',
  ].join('\n');
}

export async function startPatroniCluster(options: PatroniOptions): Promise<PatroniCluster> {
  const [etcdClient, etcdPeer, haproxyPort, ...memberPorts] = await freePorts(7);
  const dir = await mkdtemp(join(tmpdir(), 'asistencia-patroni-'));
  const owner = postgresUser();
  await chown(dir, owner.uid, owner.gid);
  const members: Member[] = ['pg1', 'pg2'].map((name, index) => ({
    name,
    pgPort: memberPorts[2 * index]!,
    apiPort: memberPorts[2 * index + 1]!,
    dataDir: join(dir, name),
  }));
  let output = '';
  const children: ChildProcess[] = [];
  const run = (command: string, args: string[], extra: { uid?: number; gid?: number } = {}) => {
    // Own process group: stop() and crashLeader() signal the whole group.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...extra, env: { PATH: process.env.PATH ?? '', HOME: dir, LC_ALL: 'C.UTF-8' } });
    child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    children.push(child);
    return child;
  };

  const url = `postgres://postgres:postgres-28@127.0.0.1:${haproxyPort}/${DATABASE}`;
  const admin = async (work: (client: pg.Client) => Promise<unknown>, database = 'postgres') => {
    const client = new pg.Client({ connectionString: url.replace(`/${DATABASE}`, `/${database}`), connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
    return true;
  };
  /** The process group of `pid` (Patroni starts PostgreSQL in a session of its own, led by a wrapper). */
  const groupOf = async (pid: number) => Number((await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ')[2]);
  const postmasterGroup = async (member: Member) => {
    const pid = Number((await readFile(join(member.dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    return pid ? groupOf(pid).catch(() => undefined) : undefined;
  };
  const killGroup = (pid: number | undefined) => {
    try {
      if (pid) process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const healthy = (timeoutMs: number) =>
    poll(
      async () => {
        for (const member of members) {
          const answer = await fetch(`http://127.0.0.1:${member.apiPort}/cluster`).catch(() => undefined);
          if (!answer?.ok) continue;
          const cluster = (await answer.json()) as { members: { name: string; role: string; state: string }[] };
          const wanted = options.synchronous ? 'sync_standby' : 'replica';
          const leads = cluster.members.some((m) => m.role === 'leader' && m.state === 'running');
          const follows = cluster.members.some((m) => m.role === wanted && (m.state === 'streaming' || m.state === 'running'));
          return leads && follows ? true : undefined;
        }
        return undefined;
      },
      timeoutMs,
      `no leader with a standby following it\n${output}`,
    ).then(() => undefined);
  /**
   * WAL senders stopped by pauseReplication. PostgreSQL's children lead process groups of their own, so killing
   * the postmaster's group misses them, and a stopped one never runs to notice its postmaster is gone.
   */
  const paused = new Set<number>();
  const stopAll = async () => {
    const exits = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((resolve) => c.once('exit', resolve)));
    for (const pid of paused) killGroup(pid);
    for (const member of members) killGroup(await postmasterGroup(member));
    for (const child of children) killGroup(child.pid);
    await Promise.race([Promise.all(exits), sleep(5000)]);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await mkdir(join(dir, 'etcd'), { mode: 0o700 });
    run('etcd', [
      '--name', 'etcd1', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster', `etcd1=http://127.0.0.1:${etcdPeer}`,
    ]);
    await poll(async () => ((await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok ? true : undefined), 15_000, 'etcd did not start');

    const startMember = async (member: Member) => {
      const file = join(dir, `${member.name}.yml`);
      await writeFile(file, patroniConfig(member, dir, etcdClient!, options));
      await chown(file, owner.uid, owner.gid);
      member.process = run('patroni', [file], owner);
    };
    // The first bootstraps (initdb) and leads; the second then clones it (pg_basebackup) and follows.
    await startMember(members[0]!);
    await poll(async () => ((await isPrimary(members[0]!)) ? true : undefined), 60_000, `the first Patroni did not become primary\n${output}`);
    await startMember(members[1]!);
    await healthy(60_000);

    const statsSocket = join(dir, 'haproxy.sock');
    const healthCheck = options.healthCheck ?? true;
    await writeFile(join(dir, 'haproxy.cfg'), haproxyConfig(haproxyPort!, members, healthCheck, statsSocket));
    run('haproxy', ['-f', join(dir, 'haproxy.cfg'), '-db']);
    // HAProxy counts every server up until its first checks say otherwise: retried until it reaches the primary.
    await poll(() => admin((client) => client.query(`CREATE DATABASE ${DATABASE}`)), 15_000, `HAProxy did not reach the primary\n${output}`);
    // ...and a connection made before its checks marked the standby down still reaches the standby, where the
    // database may not be yet (the service's migrations then failed at start, once in a whole run).
    if (healthCheck) {
      const primary = members[0]!.name;
      await poll(
        async () => {
          const up = serversUp(await askHaproxy(statsSocket, 'show stat'));
          return up.length === 1 && up[0] === primary ? true : undefined;
        },
        15_000,
        `HAProxy did not route to the primary alone\n${output}`,
      );
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const leader = async () => {
    for (const member of members) if (await isPrimary(member).catch(() => false)) return member.name;
    throw new Error('no member is primary');
  };
  const byName = (name: string) => members.find((m) => m.name === name)!;
  return {
    url,
    leader,
    async switchover() {
      const from = await leader();
      const to = members.find((m) => m.name !== from)!.name;
      const answer = await fetch(`http://127.0.0.1:${byName(from).apiPort}/switchover`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ leader: from, candidate: to }),
      });
      if (!answer.ok) throw new Error(`switchover refused: ${answer.status} ${await answer.text()}`);
      return from;
    },
    healthy,
    async pauseReplication() {
      const primary = byName(await leader());
      const client = new pg.Client({ host: '127.0.0.1', port: primary.pgPort, user: 'postgres', database: 'postgres' });
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_replication');
      await client.end();
      // The sender, not the receiver: WAL already sent would wait in the socket and still reach the standby.
      for (const { pid } of rows) {
        paused.add(pid);
        process.kill(pid, 'SIGSTOP');
      }
    },
    async crashLeader() {
      const name = await leader();
      const member = byName(name);
      const postgres = await postmasterGroup(member);
      killGroup(member.process?.pid);
      killGroup(postgres);
      return name;
    },
    async failedOver(name, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const promoted = await poll(
        async () => {
          for (const member of members) if (member.name !== name && (await isPrimary(member))) return member.name;
          return undefined;
        },
        timeoutMs,
        `no member other than ${name} became primary\n${output}`,
      );
      await poll(() => admin((client) => client.query('CREATE TEMP TABLE written (x int)'), DATABASE), Math.max(0, deadline - Date.now()), 'HAProxy did not reach the new primary');
      return promoted;
    },
    output: () => output,
    stop: stopAll,
  };
}
