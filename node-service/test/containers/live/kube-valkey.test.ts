import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { playOverlay, podman, statefulSetReplicas, until, type Playground } from '../../deploy/kube-play.js';
import { makeBases } from '../../../scripts/containers/stack.js';

// `podman kube play` of what podman can run here from the production render: Valkey and its three
// sentinels (valkey.yaml, sentinel.yaml), with the local stand-in of the Valkey image. They come up as
// written (non-root, read-only root, their start scripts), elect a new primary when the primary's pod goes
// away, and the old primary comes back as a replica. node-service and the door are not played here: their
// Deployments need the project's images, which the containers lane builds.

const STAND_IN = 'localhost/asistencia-local/valkey:8';
const MASTER = 'asistencia';
const DOWN_AFTER_MS = 5000;

let played: Playground | undefined;
const pod = (hostname: string) => played!.pod(hostname);

async function ask<T>(address: string, port: number, command: string, ...args: string[]): Promise<T> {
  const client = new Redis({ host: address, port, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => {}); // connect() rejects with the same error
  try {
    await client.connect();
    return (await client.call(command, ...args)) as T;
  } finally {
    client.disconnect();
  }
}

/** The primary's stable name as each sentinel sees it (undefined for one that does not answer). */
/** The replicas each sentinel knows of (a sentinel learns them from the primary's INFO, every 10 s). */
async function replicasPerSentinel(): Promise<string[][]> {
  const sentinels = played!.pods.filter((p) => p.hostname.startsWith('asistencia-sentinel-'));
  const names = (replicas: string[][]) => replicas.map((fields) => fields[fields.indexOf('ip') + 1] ?? '');
  return Promise.all(sentinels.map((s) => ask<string[][]>(s.address, 26379, 'SENTINEL', 'REPLICAS', MASTER).then(names, () => [])));
}

async function primaryPerSentinel(): Promise<Array<string | undefined>> {
  const sentinels = played!.pods.filter((p) => p.hostname.startsWith('asistencia-sentinel-'));
  return Promise.all(sentinels.map((s) => ask<string[]>(s.address, 26379, 'SENTINEL', 'get-master-addr-by-name', MASTER).then((a) => a[0], () => undefined)));
}

async function replication(hostname: string): Promise<Record<string, string>> {
  const info = await ask<string>(pod(hostname).address, 6379, 'INFO', 'replication');
  return Object.fromEntries(info.split('\r\n').filter((line) => line.includes(':')).map((line) => line.split(':', 2) as [string, string]));
}


// The containers lane's `kube` (npm run containers -- test kube, in `all`): the local bases are made first,
// so nothing is missing but what the machine lacks (kubectl, podman), and that fails the lane by name.
describe('podman kube play: Valkey under its sentinels', () => {
  beforeAll(async () => {
    await makeBases();
    played = await playOverlay('prod', [STAND_IN], 200, (docs) => [
      ...statefulSetReplicas(docs, 'asistencia-valkey', STAND_IN),
      ...statefulSetReplicas(docs, 'asistencia-sentinel', STAND_IN),
    ]);
  }, 1_200_000);

  afterAll(async () => played?.down(), 120_000);

  test('the pods start as written: asistencia-valkey-0 primary, -1 its replica, every sentinel agreeing', async () => {
    const primary = pod('asistencia-valkey-0').stableName;
    await until('three sentinels naming the first primary', 60_000, async () => ((await primaryPerSentinel()).every((name) => name === primary) ? true : undefined));
    const replica = await until('the replica in sync', 60_000, async () => {
      const info = await replication('asistencia-valkey-1');
      return info.master_link_status === 'up' ? info : undefined;
    });
    expect(replica).toMatchObject({ role: 'slave', master_host: primary });
    expect(await ask<string>(pod('asistencia-valkey-0').address, 6379, 'CONFIG', 'GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'volatile-ttl']);
  }, 150_000);

  test('the primary`s pod goes away: the sentinels elect the replica, and the old primary returns as a replica', async ({ annotate }) => {
    const [first, second] = [pod('asistencia-valkey-0'), pod('asistencia-valkey-1')];
    await ask(first.address, 6379, 'SET', 'asistencia:kube-play', 'kept');
    await until('the write replicated', 10_000, async () => ((await ask<string | null>(second.address, 6379, 'GET', 'asistencia:kube-play')) === 'kept' ? true : undefined));
    // Only a replica the sentinels know can be elected: an operator waits for that too before taking the primary down.
    await until('every sentinel knowing the replica', 30_000, async () =>
      (await replicasPerSentinel()).every((replicas) => replicas.includes(second.stableName)) ? true : undefined,
    );

    const downAt = Date.now();
    await podman('kube', 'down', first.file);
    let seen: Array<string | undefined> = [];
    await until('the sentinels naming the replica', DOWN_AFTER_MS + 45_000, async () => {
      seen = await primaryPerSentinel();
      return seen.filter((name) => name === second.stableName).length >= 2 ? true : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}: the sentinels said ${JSON.stringify(seen)}`);
    });
    const failoverMs = Date.now() - downAt;
    expect((await replication(second.hostname)).role).toBe('master');
    expect(await ask<string>(second.address, 6379, 'GET', 'asistencia:kube-play')).toBe('kept');
    await annotate(`the sentinels named the new primary ${failoverMs} ms after the primary's pod went away (down-after ${DOWN_AFTER_MS} ms)`);

    await podman('kube', 'play', '--ip', first.address, first.file);
    // A replica from its first answer (start-valkey.sh asked the sentinels): never a second primary taking
    // writes, not even until the sentinels would convert it.
    const firstRole = await until('the old primary answering', 60_000, async () => (await replication(first.hostname)).role);
    expect(firstRole).toBe('slave');
    const back = await until('the old primary back as a replica', 60_000, async () => {
      const info = await replication(first.hostname);
      return info.master_link_status === 'up' ? info : undefined;
    });
    expect(back).toMatchObject({ role: 'slave', master_host: second.stableName });
  }, 150_000);
});
