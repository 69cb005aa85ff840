import { execFile, execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { stringify } from 'yaml';
import { REPO_ROOT, type Mapping } from '../containers/compose.js';
import { kustomizeMissing, removeRender, renderOverlay, type Overlay, type Render } from './kustomize.js';
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
function kubePlayMissing(images: readonly string[]): string | undefined {
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
function kubeNetworkPrefix(): string {
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

interface PlayedPod {
  /** The pod's hostname, e.g. asistencia-valkey-0. */
  hostname: string;
  /** Its stable name in the cluster, e.g. asistencia-valkey-0.asistencia-valkey (first of the names it answers to). */
  stableName: string;
  address: string;
  /** The Pod's YAML, for `podman kube play` and `podman kube down`. */
  file: string;
}

/** One pod to play: its template, the image it runs here, and the names the cluster would give it. */
export interface Replica {
  hostname: string;
  /** What other pods call it: a StatefulSet pod's stable name, the Services that select it. */
  names: string[];
  template: IPodTemplateSpec;
  image: string;
  claims?: string[];
}

/** Each replica of a StatefulSet, by its stable name (`<set>-<i>.<service>`). */
export function statefulSetReplicas(docs: readonly Mapping[], set: string, image: string): Replica[] {
  const doc = named<IStatefulSet>(docs, 'StatefulSet', set);
  return Array.from({ length: doc.spec!.replicas ?? 1 }, (_, i) => ({
    hostname: `${set}-${i}`,
    names: [`${set}-${i}.${doc.spec!.serviceName}`],
    template: doc.spec!.template,
    image,
    claims: (doc.spec!.volumeClaimTemplates ?? []).map((claim) => claim.metadata!.name!),
  }));
}

/** One pod of a Deployment, known by the names of the Services that select it. */
export function deploymentReplica(docs: readonly Mapping[], name: string, image: string, services: string[]): Replica {
  const doc = named<IDeployment>(docs, 'Deployment', name);
  return { hostname: name, names: services, template: doc.spec!.template, image };
}

/**
 * Writes one Pod file per replica under `scratch`, the n-th at `addressOf(n)`, every pod knowing every
 * other's names; `suffix` keeps the pods' names apart from another run's.
 */
function writePods(docs: readonly Mapping[], replicas: readonly Replica[], scratch: string, addressOf: (n: number) => string, suffix: string): PlayedPod[] {
  const addresses = replicas.map((_, n) => addressOf(n));
  const hostAliases = replicas.map((r, n) => ({ ip: addresses[n]!, hostnames: r.names }));
  return replicas.map((replica, n) => {
    const template = replica.template;
    const folder = join(scratch, replica.hostname);
    const claims: IVolume[] = (replica.claims ?? []).map((name) => ({ name, emptyDir: {} }));
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
        containers: template.spec!.containers.map(({ ports: _published, ...c }) => ({ ...c, image: replica.image })),
        volumes,
      },
    };
    // The ConfigMaps its containers take settings from travel in the same file, as kube play reads them.
    const maps = template.spec!.containers.flatMap((c) => (c.envFrom ?? []).flatMap((source) => (source.configMapRef ? [source.configMapRef.name!] : [])));
    const configMaps = [...new Set(maps)].map((name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: named<IConfigMap>(docs, 'ConfigMap', name).data }));
    const file = join(scratch, `${replica.hostname}.yaml`);
    writeFileSync(file, [pod, ...configMaps].map((doc) => stringify(doc)).join('---\n'));
    return { hostname: replica.hostname, stableName: replica.names[0] ?? replica.hostname, address: addresses[n]!, file };
  });
}

/**
 * A ConfigMap or Secret volume as a folder of its files (the Secret's readable by anyone: podman has no
 * fsGroup); an emptyDir, a claim or a claim template as an empty folder anyone may write.
 */
function asFolder(docs: readonly Mapping[], volume: IVolume, folder: string): IVolume {
  mkdirSync(folder, { recursive: true });
  if (volume.configMap) {
    for (const [name, text] of Object.entries(named<IConfigMap>(docs, 'ConfigMap', volume.configMap.name!).data ?? {})) writeFileSync(join(folder, name), text);
  } else if (volume.secret) {
    const data = named<ISecret>(docs, 'Secret', volume.secret.secretName!).data ?? {};
    const items = volume.secret.items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const item of items) writeFileSync(join(folder, item.path), Buffer.from(data[item.key] ?? '', 'base64'), { mode: 0o444 });
  } else if (volume.emptyDir || volume.persistentVolumeClaim) {
    // The cluster would give the pod's fsGroup write access; podman has no fsGroup.
    chmodSync(folder, 0o777);
  } else {
    throw new Error(`volume ${volume.name}: only ConfigMap, Secret, emptyDir and claim volumes are played`);
  }
  return { name: volume.name, hostPath: { path: folder, type: 'Directory' } };
}

/** A render's pods, played on podman's kube network; `down()` takes them away with their files. */
export interface Playground {
  render: Render;
  pods: PlayedPod[];
  /** The pod with this hostname (asistencia-valkey-0, asistencia-node). */
  pod(hostname: string): PlayedPod;
  down(): Promise<void>;
}

/**
 * Renders an overlay and plays the pods `replicasOf` picks from it, at fixed addresses (a StatefulSet's
 * names must be known before its pods start) in a block of their own per run, from `firstAddress` up, at
 * the top of podman's kube network, above what it hands out by itself. Fails by name when kubectl, podman
 * or an image is missing.
 */
export async function playOverlay(overlay: Overlay, images: readonly string[], firstAddress: number, replicasOf: (docs: readonly Mapping[]) => Replica[]): Promise<Playground> {
  const missing = kustomizeMissing() ?? kubePlayMissing(images);
  if (missing) throw new Error(`podman kube play cannot run here: ${missing}`);
  const render = await renderOverlay(overlay);
  const scratch = mkdtempSync(join(tmpdir(), `asistencia-kube-play-${overlay}-`));
  const pods: PlayedPod[] = [];
  const playground: Playground = {
    render,
    pods,
    pod: (hostname) => pods.find((p) => p.hostname === hostname) ?? assert.fail(`no pod ${hostname} was played`),
    async down() {
      for (const p of pods) await podman('kube', 'down', p.file).catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
      removeRender(render);
    },
  };
  try {
    const prefix = kubeNetworkPrefix();
    const first = firstAddress + Math.floor(Math.random() * 40);
    const suffix = Math.random().toString(36).slice(2, 8);
    pods.push(...writePods(render.docs, replicasOf(render.docs), scratch, (n) => `${prefix}.${first + n}`, suffix));
    for (const p of pods) await podman('kube', 'play', '--ip', p.address, p.file);
    return playground;
  } catch (error) {
    await playground.down();
    throw error;
  }
}

/** What `probe` answers once it answers something, trying every `everyMs` until `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
}
