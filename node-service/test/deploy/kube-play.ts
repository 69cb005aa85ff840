import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { stringify } from 'yaml';
import { REPO_ROOT, type Mapping } from '../containers/compose.js';
import { named } from './manifests.js';

/**
 * `podman kube play` of rendered manifests. Podman 4.3 plays Pods and Deployments, with hostPath, emptyDir
 * and claim volumes only, and has no cluster DNS; so a StatefulSet is played as what its controller and the
 * cluster would make of it: one Pod per replica with the replica's hostname, its stable name
 * (`<set>-<i>.<service>`) in every pod's /etc/hosts at a fixed address, its ConfigMap volumes and its
 * scratch volumes as folders. Containers, commands, environment, probes and security contexts are played
 * as written.
 */

const CONTAINERS_CONF = resolve(REPO_ROOT, 'containers/containers.conf');
const podmanEnv = { ...process.env, CONTAINERS_CONF };

/** Why kube play cannot run here (no podman, or an image not built yet), or undefined when it can. */
export function kubePlayMissing(images: readonly string[]): string | undefined {
  let listed: string;
  try {
    listed = execFileSync('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { env: podmanEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return 'podman is not installed (check-packages.sh lists it)';
  }
  const absent = images.filter((image) => !listed.split('\n').includes(image));
  return absent.length > 0 ? `images not built on this machine: ${absent.join(', ')} (containers/local/make-bases.sh makes them)` : undefined;
}

/**
 * The first three parts of the addresses of podman's own network for kube play pods (a /24 it makes on the
 * first play: podman-default-kube-network, with netavark's configuration under /etc/containers/networks).
 */
export function kubeNetworkPrefix(): string {
  try {
    const network = JSON.parse(readFileSync('/etc/containers/networks/podman-default-kube-network.json', 'utf8')) as { subnets: Array<{ subnet: string }> };
    const subnet = network.subnets[0]!.subnet;
    if (!subnet.endsWith('.0/24')) throw new Error(`podman-default-kube-network is ${subnet}, not a /24`);
    return subnet.slice(0, -'.0/24'.length);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '10.89.0';
    throw error;
  }
}

export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('podman', args, { env: podmanEnv, maxBuffer: 4 * 1024 * 1024 });
  return stdout;
}

export interface PlayedPod {
  /** The replica's name and hostname, e.g. asistencia-valkey-0. */
  hostname: string;
  /** Its stable name in the cluster, e.g. asistencia-valkey-0.asistencia-valkey. */
  stableName: string;
  address: string;
  /** The Pod's YAML, for `podman kube play` and `podman kube down`. */
  file: string;
}

export interface StatefulSetPlay {
  set: string;
  image: string;
}

/**
 * Writes one Pod file per replica of the named StatefulSets under `scratch`, each at an address of
 * `addressOf(n)` (n counting replicas across the sets), every pod knowing every stable name.
 */
export function statefulSetPods(docs: readonly Mapping[], plays: readonly StatefulSetPlay[], scratch: string, addressOf: (n: number) => string, suffix: string): PlayedPod[] {
  const sets = plays.map((play) => ({ ...play, doc: named<IStatefulSet>(docs, 'StatefulSet', play.set) }));
  const replicas = sets.flatMap(({ set, doc }) =>
    Array.from({ length: doc.spec!.replicas ?? 1 }, (_, i) => ({ set, hostname: `${set}-${i}`, stableName: `${set}-${i}.${doc.spec!.serviceName}` })),
  );
  const addresses = replicas.map((_, n) => addressOf(n));
  const hostAliases = replicas.map((r, n) => ({ ip: addresses[n]!, hostnames: [r.stableName] }));
  return replicas.map((replica, n) => {
    const { doc, image } = sets.find((s) => s.set === replica.set)!;
    const template = doc.spec!.template;
    const folder = join(scratch, replica.hostname);
    const claims: IVolume[] = (doc.spec!.volumeClaimTemplates ?? []).map((claim) => ({ name: claim.metadata!.name!, emptyDir: {} }));
    const volumes = [...(template.spec!.volumes ?? []), ...claims].map((volume) => asFolder(docs, volume, join(folder, volume.name)));
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${replica.hostname}-${suffix}`, labels: template.metadata?.labels ?? {} },
      spec: {
        ...template.spec,
        hostname: replica.hostname,
        hostAliases,
        restartPolicy: 'Always',
        // Without their ports: podman 4.3 publishes a containerPort on the host's same port; the pods are
        // reached at their addresses, as in a cluster.
        containers: template.spec!.containers.map(({ ports: _published, ...c }) => ({ ...c, image })),
        volumes,
      },
    };
    const file = join(scratch, `${replica.hostname}.yaml`);
    writeFileSync(file, stringify(pod));
    return { hostname: replica.hostname, stableName: replica.stableName, address: addresses[n]!, file };
  });
}

/** A ConfigMap volume as a folder of its files; an emptyDir or a claim as an empty folder anyone may write. */
function asFolder(docs: readonly Mapping[], volume: IVolume, folder: string): IVolume {
  mkdirSync(folder, { recursive: true });
  if (volume.configMap) {
    for (const [name, text] of Object.entries(named<IConfigMap>(docs, 'ConfigMap', volume.configMap.name!).data ?? {})) writeFileSync(join(folder, name), text);
  } else if (volume.emptyDir) {
    // The cluster would give the pod's fsGroup write access; podman has no fsGroup.
    chmodSync(folder, 0o777);
  } else {
    throw new Error(`volume ${volume.name}: only ConfigMap, emptyDir and claim volumes are played`);
  }
  return { name: volume.name, hostPath: { path: folder, type: 'Directory' } };
}
