import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { z } from 'zod';
import { isMapping, type Mapping } from '../containers/compose.js';

/**
 * Checks of rendered Kubernetes manifests, each returning its complaints (empty when the documents pass),
 * so a test can also show a check complaining about a document broken on purpose.
 *
 * The schema: every core kind is validated by kubernetes-models (the Kubernetes OpenAPI schemas: types,
 * required fields, quantities), which lets unknown fields through; so the parts that matter (containers,
 * probes, security contexts, resources) are also read by strict zod schemas, where a misspelt field is an
 * error. CloudNativePG's Cluster, which kubernetes-models does not know, has a zod schema of its own.
 */

type Model = { validate(): void };
const MODELS: Record<string, new (data: never) => Model> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const quantity = z.union([z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi)?$/), z.number()]);
const resources = z.strictObject({
  requests: z.strictObject({ cpu: quantity, memory: quantity }),
  limits: z.strictObject({ cpu: quantity, memory: quantity }),
});

const probe = z
  .strictObject({
    httpGet: z.strictObject({ path: z.string().startsWith('/'), port: z.union([z.string(), z.number()]) }).optional(),
    exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
    initialDelaySeconds: z.number().int().optional(),
    periodSeconds: z.number().int().optional(),
    timeoutSeconds: z.number().int().optional(),
    failureThreshold: z.number().int().optional(),
  })
  .refine((p) => (p.httpGet ? 1 : 0) + (p.exec ? 1 : 0) === 1, { error: 'a probe needs exactly one of httpGet or exec' });

/** No root, no new privileges, no capabilities, nothing written outside its volumes. */
const containerSecurity = z.strictObject({
  allowPrivilegeEscalation: z.literal(false),
  readOnlyRootFilesystem: z.literal(true),
  capabilities: z.strictObject({ drop: z.tuple([z.literal('ALL')]) }),
});

const container = z.strictObject({
  name: z.string(),
  image: z.string(),
  imagePullPolicy: z.enum(['IfNotPresent', 'Always', 'Never']).optional(),
  command: z.array(z.string()).optional(),
  ports: z.array(z.strictObject({ name: z.string(), containerPort: z.number().int() })),
  env: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
  envFrom: z.array(z.strictObject({ configMapRef: z.strictObject({ name: z.string() }) })).optional(),
  resources,
  startupProbe: probe.optional(),
  livenessProbe: probe,
  readinessProbe: probe,
  securityContext: containerSecurity,
  volumeMounts: z.array(z.strictObject({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional() })),
});

const podSecurity = z.strictObject({
  runAsNonRoot: z.literal(true),
  runAsUser: z.number().int().positive(),
  runAsGroup: z.number().int().positive(),
  fsGroup: z.number().int().positive(),
  seccompProfile: z.strictObject({ type: z.literal('RuntimeDefault') }),
});

const podTemplate = z.object({
  metadata: z.object({ labels: z.record(z.string(), z.string()) }),
  spec: z.object({
    automountServiceAccountToken: z.literal(false),
    securityContext: podSecurity,
    containers: z.array(container).min(1),
    initContainers: z.undefined({ error: 'no init containers are expected' }).optional(),
  }),
});

/** The part of CloudNativePG's Cluster (postgresql.cnpg.io/v1) these manifests use. */
const cnpgCluster = z.strictObject({
  apiVersion: z.literal('postgresql.cnpg.io/v1'),
  kind: z.literal('Cluster'),
  metadata: z.object({ name: z.string(), namespace: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }),
  spec: z
    .strictObject({
      instances: z.number().int().min(1),
      imageName: z.string(),
      primaryUpdateStrategy: z.enum(['unsupervised', 'supervised']).optional(),
      postgresql: z
        .strictObject({
          synchronous: z
            .strictObject({ method: z.enum(['any', 'first']), number: z.number().int().min(1), dataDurability: z.enum(['required', 'preferred']).optional() })
            .optional(),
          parameters: z.record(z.string(), z.string()).optional(),
        })
        .optional(),
      bootstrap: z.strictObject({
        initdb: z.strictObject({ database: z.string(), owner: z.string(), secret: z.strictObject({ name: z.string() }) }),
      }),
      storage: z.strictObject({ size: quantity, storageClass: z.string().optional() }),
      resources,
      affinity: z
        .strictObject({ enablePodAntiAffinity: z.boolean(), topologyKey: z.string(), podAntiAffinityType: z.enum(['preferred', 'required']) })
        .optional(),
    })
    .refine((spec) => !spec.postgresql?.synchronous || spec.postgresql.synchronous.number < spec.instances, {
      error: 'synchronous.number must be below instances (the standbys there are)',
    }),
});
export type CnpgCluster = z.output<typeof cnpgCluster>;

/**
 * kustomize folds a long Secret value's base64 over several lines; the API server's decoder (Go's
 * encoding/base64) skips line breaks, the schema's "byte" format does not: compare what the server reads.
 */
function asDecoded(doc: Mapping): Mapping {
  if (doc.kind !== 'Secret' || !isMapping(doc.data)) return doc;
  return { ...doc, data: Object.fromEntries(Object.entries(doc.data).map(([key, value]) => [key, String(value).replace(/[\r\n]/g, '')])) };
}

const zodComplaints = (error: z.ZodError) => error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

/** The schema's complaints about every document: one line each, naming the document. */
export function schemaProblems(docs: readonly Mapping[]): string[] {
  return docs.flatMap((doc) => {
    const name = `${String(doc.kind)} ${String((doc.metadata as Mapping | undefined)?.name)}`;
    const type = `${String(doc.apiVersion)}/${String(doc.kind)}`;
    if (type === 'postgresql.cnpg.io/v1/Cluster') {
      const parsed = cnpgCluster.safeParse(doc);
      return parsed.success ? [] : zodComplaints(parsed.error).map((line) => `${name}: ${line}`);
    }
    const Model = MODELS[type];
    if (!Model) return [`${name}: ${type} is not a kind these manifests are checked for`];
    const problems: string[] = [];
    try {
      new Model(asDecoded(doc) as never).validate();
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
    const template = (doc.spec as Mapping | undefined)?.template;
    if (template !== undefined) {
      const parsed = podTemplate.safeParse(template);
      if (!parsed.success) problems.push(...zodComplaints(parsed.error).map((line) => `${name}: template.${line}`));
    }
    return problems;
  });
}

// ---------------------------------------------------------------------------------------------------
// Reading the documents (after the schema check: the shapes are Kubernetes')
// ---------------------------------------------------------------------------------------------------

export function ofKind<T>(docs: readonly Mapping[], kind: string): T[] {
  return docs.filter((doc) => doc.kind === kind) as T[];
}

export function named<T extends { metadata?: { name?: string } }>(docs: readonly Mapping[], kind: string, name: string): T {
  const found = ofKind<T>(docs, kind).find((doc) => doc.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

export interface Workload {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  replicas: number;
  selector: Record<string, string>;
  template: IPodTemplateSpec;
}

export function workloads(docs: readonly Mapping[]): Workload[] {
  const of = (kind: Workload['kind']) =>
    ofKind<IDeployment | IStatefulSet>(docs, kind).map((doc) => ({
      kind,
      name: doc.metadata!.name!,
      replicas: doc.spec!.replicas ?? 1,
      selector: doc.spec!.selector.matchLabels ?? {},
      template: doc.spec!.template,
    }));
  return [...of('Deployment'), ...of('StatefulSet')];
}

export function workload(docs: readonly Mapping[], name: string): Workload {
  const found = workloads(docs).find((w) => w.name === name);
  if (!found) throw new Error(`no workload ${name}`);
  return found;
}

export function containerOf(w: Workload): IContainer {
  return w.template.spec!.containers[0]!;
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);

/** A pod of the namespace: a workload's template, or a CloudNativePG instance (its labels and ports). */
interface Pod {
  name: string;
  labels: Record<string, string>;
  ports: Record<string, number>;
}

function pods(docs: readonly Mapping[]): Pod[] {
  const fromTemplates = workloads(docs).map((w) => ({
    name: w.name,
    labels: w.template.metadata?.labels ?? {},
    ports: Object.fromEntries(w.template.spec!.containers.flatMap((c) => (c.ports ?? []).map((p) => [p.name ?? '', p.containerPort]))),
  }));
  const instances = ofKind<CnpgCluster>(docs, 'Cluster').map((cluster) => ({
    name: cluster.metadata.name,
    labels: { 'cnpg.io/cluster': cluster.metadata.name },
    ports: { postgresql: 5432, status: 8000 },
  }));
  return [...fromTemplates, ...instances];
}

/** Selectors that select nothing, and names that point at nothing. */
export function referenceProblems(docs: readonly Mapping[]): string[] {
  const problems: string[] = [];
  const all = pods(docs);
  for (const w of workloads(docs)) {
    if (!matches(w.selector, w.template.metadata?.labels ?? {})) problems.push(`${w.kind} ${w.name}: its selector does not match its pods' labels`);
  }
  for (const service of ofKind<IService>(docs, 'Service')) {
    const name = `Service ${service.metadata!.name}`;
    const selected = all.filter((pod) => matches(service.spec!.selector, pod.labels));
    if (selected.length === 0) problems.push(`${name}: its selector matches no pod`);
    for (const port of service.spec!.ports ?? []) {
      const target = port.targetPort ?? port.port;
      const found = selected.some((pod) => (typeof target === 'number' ? Object.values(pod.ports).includes(target) : target in pod.ports));
      if (!found) problems.push(`${name}: targetPort ${String(target)} is no port of its pods`);
    }
  }
  for (const budget of ofKind<{ metadata: { name: string }; spec: { selector: { matchLabels: Record<string, string> } } }>(docs, 'PodDisruptionBudget')) {
    if (!all.some((pod) => matches(budget.spec.selector.matchLabels, pod.labels))) problems.push(`PodDisruptionBudget ${budget.metadata.name}: selects no pod`);
  }
  for (const policy of ofKind<INetworkPolicy>(docs, 'NetworkPolicy')) {
    const selector = policy.spec!.podSelector?.matchLabels;
    if (selector && !all.some((pod) => matches(selector, pod.labels))) problems.push(`NetworkPolicy ${policy.metadata!.name}: selects no pod`);
  }
  for (const set of ofKind<IStatefulSet>(docs, 'StatefulSet')) {
    const service = ofKind<IService>(docs, 'Service').find((s) => s.metadata!.name === set.spec!.serviceName);
    if (service?.spec?.clusterIP !== 'None') problems.push(`StatefulSet ${set.metadata!.name}: serviceName names no headless Service`);
  }
  problems.push(...objectReferenceProblems(docs));
  return problems;
}

/** ConfigMaps, Secrets (and their keys) and claims that pods and the Cluster name exist. */
function objectReferenceProblems(docs: readonly Mapping[]): string[] {
  const configMaps = new Set(ofKind<IConfigMap>(docs, 'ConfigMap').map((c) => c.metadata!.name));
  const secrets = new Map(ofKind<ISecret>(docs, 'Secret').map((s) => [s.metadata!.name!, s]));
  const claims = new Set(ofKind<Mapping & { metadata: { name: string } }>(docs, 'PersistentVolumeClaim').map((c) => c.metadata.name));
  const problems: string[] = [];
  for (const w of workloads(docs)) {
    const name = `${w.kind} ${w.name}`;
    for (const c of w.template.spec!.containers) {
      for (const source of c.envFrom ?? []) {
        if (source.configMapRef && !configMaps.has(source.configMapRef.name)) problems.push(`${name}: no ConfigMap ${source.configMapRef.name}`);
      }
    }
    const volumes = w.template.spec!.volumes ?? [];
    for (const volume of volumes) {
      if (volume.configMap && !configMaps.has(volume.configMap.name)) problems.push(`${name}: no ConfigMap ${volume.configMap.name}`);
      if (volume.persistentVolumeClaim && !claims.has(volume.persistentVolumeClaim.claimName)) problems.push(`${name}: no claim ${volume.persistentVolumeClaim.claimName}`);
      if (volume.secret) {
        const secret = secrets.get(volume.secret.secretName ?? '');
        if (!secret) problems.push(`${name}: no Secret ${volume.secret.secretName}`);
        for (const item of volume.secret.items ?? []) if (secret && !(item.key in (secret.data ?? {}))) problems.push(`${name}: Secret ${secret.metadata!.name} has no key ${item.key}`);
      }
    }
    const claimTemplates = (w.kind === 'StatefulSet' ? named<IStatefulSet>(docs, 'StatefulSet', w.name).spec!.volumeClaimTemplates ?? [] : []).map((t) => t.metadata!.name);
    const mounted = new Set([...volumes.map((v) => v.name), ...claimTemplates]);
    for (const c of w.template.spec!.containers) for (const mount of c.volumeMounts ?? []) if (!mounted.has(mount.name)) problems.push(`${name}: mounts no volume ${mount.name}`);
  }
  for (const cluster of ofKind<CnpgCluster>(docs, 'Cluster')) {
    const secret = secrets.get(cluster.spec.bootstrap.initdb.secret.name);
    if (secret?.type !== 'kubernetes.io/basic-auth') problems.push(`Cluster ${cluster.metadata.name}: no basic-auth Secret ${cluster.spec.bootstrap.initdb.secret.name}`);
  }
  return problems;
}

/** Every variable a workload's container is given: its ConfigMaps' data, then its own env. */
export function environmentOf(docs: readonly Mapping[], w: Workload): Record<string, string> {
  const c = containerOf(w);
  const fromMaps = (c.envFrom ?? []).flatMap((source) => Object.entries(named<IConfigMap>(docs, 'ConfigMap', source.configMapRef!.name!).data ?? {}));
  return Object.fromEntries([...fromMaps, ...(c.env ?? []).map((e) => [e.name, e.value ?? ''] as const)]);
}

/** Bytes in a Kubernetes quantity (512Mi, 1Gi) or a compose size (512M, 1G: binary units, as the engine reads them). */
export function bytes(size: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|K|m|M|g|G|b)?$/.exec(size);
  if (!match) throw new Error(`not a size: ${size}`);
  const unit = { Ki: 1, k: 1, K: 1, Mi: 2, m: 2, M: 2, Gi: 3, g: 3, G: 3, b: 0 }[match[2] ?? 'b'] ?? 0;
  return Number(match[1]) * 1024 ** unit;
}

/** CPUs in a Kubernetes quantity ("1", 500m) or a compose "cpus" ("0.5"). */
export function cpus(value: string | number): number {
  const text = String(value);
  return text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text);
}

// ---------------------------------------------------------------------------------------------------
// Network policies: who may open a connection to whom
// ---------------------------------------------------------------------------------------------------

/** A client: a pod of this namespace (by its workload's name), or anything outside it. */
export type Client = { pod: string } | 'outside';

/**
 * Whether `client` may connect to `port` of the pods of `target`, as the namespace's NetworkPolicies say:
 * a pod no policy selects takes everything; otherwise one rule of one policy selecting it must admit both
 * the client (no `from`: anyone; a podSelector: pods of this namespace it matches) and the port (a number,
 * or a name the target's container gives that number).
 */
export function mayConnect(docs: readonly Mapping[], client: Client, target: string, port: number): boolean {
  const all = pods(docs);
  const to = all.find((pod) => pod.name === target);
  if (!to) throw new Error(`no pod ${target}`);
  const from = client === 'outside' ? undefined : all.find((pod) => pod.name === client.pod);
  if (client !== 'outside' && !from) throw new Error(`no pod ${client.pod}`);
  const policies = ofKind<INetworkPolicy>(docs, 'NetworkPolicy').filter((p) => matches(p.spec!.podSelector?.matchLabels, to.labels));
  if (policies.length === 0) return true;
  return policies.some((policy) =>
    (policy.spec!.ingress ?? []).some((rule) => {
      const portAdmitted = !rule.ports?.length || rule.ports.some((p) => (typeof p.port === 'number' ? p.port === port : to.ports[String(p.port)] === port));
      const clientAdmitted = !rule.from?.length || (from !== undefined && rule.from.some((peer) => !peer.namespaceSelector && peer.podSelector !== undefined && matches(peer.podSelector.matchLabels, from.labels)));
      return portAdmitted && clientAdmitted;
    }),
  );
}
