import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IService } from 'kubernetes-models/v1/Service';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { DEFAULT_BASE_PATH as BASE_PATH } from '../../src/shared/base-path.js';
import { REPO_ROOT, isMapping, readComposeFile, type Mapping } from '../containers/compose.js';
import { KUBERNETES_DIR, OVERLAYS, SECRET_FILES, kustomizeMissing, removeRender, renderOverlay, type Overlay, type Render } from './kustomize.js';
import {
  bytes,
  containerOf,
  cpus,
  environmentOf,
  mayConnect,
  named,
  ofKind,
  referenceProblems,
  schemaProblems,
  workload,
  workloads,
  type CnpgCluster,
} from './manifests.js';

// deploy/kubernetes rendered by kustomize (kubectl's), overlay by overlay, then checked: the schema of every
// document, names that point at something, the settings node-service needs, compose's limits and secrets,
// and who may reach whom. test/containers/live/kube-*.test.ts (the containers lane's `kube`) run what podman can run of the same render.

// kubectl (with kustomize 5 built in) comes with this kind of machine (not a Debian package): without it
// the checks fail by name rather than pass unseen.
const missing = kustomizeMissing();
const renders = new Map<Overlay, Render>();
const docsOf = (overlay: Overlay) => renders.get(overlay)!.docs;

beforeAll(async () => {
  if (missing) throw new Error(`the manifests cannot be rendered here: ${missing}`);
  for (const overlay of OVERLAYS) renders.set(overlay, await renderOverlay(overlay));
});
afterAll(() => renders.forEach(removeRender));

/** compose.yaml's service with compose.prod.yaml's on top (environment and limits). */
function composeService(name: string): { environment: Record<string, unknown>; limits: { cpus: string; memory: string } } {
  const [base, prod] = ['compose.yaml', 'compose.prod.yaml'].map((file) => (readComposeFile(file).services as Record<string, Mapping>)[name]!);
  const limits = ((prod!.deploy as Mapping).resources as Mapping).limits as { cpus: string; memory: string };
  return { environment: { ...(base!.environment as Mapping), ...(prod!.environment as Mapping) }, limits };
}

/** Settings the README's table documents (node-service's config schema keeps it in step). */
function documentedSettings(): Set<string> {
  const readme = readFileSync(resolve(REPO_ROOT, 'README.md'), 'utf8');
  return new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
}

describe('Kubernetes manifests', () => {

  describe.each(OVERLAYS)('the %s overlay', (overlay) => {
    test('every document passes the schema of its kind', () => {
      expect(schemaProblems(docsOf(overlay))).toEqual([]);
    });

    test('selectors select, and every ConfigMap, Secret key, claim and port named exists', () => {
      expect(referenceProblems(docsOf(overlay))).toEqual([]);
    });

    test('node-service is ready on /ready and alive on /health, on the port it listens on', () => {
      const node = workload(docsOf(overlay), 'asistencia-node');
      const container = containerOf(node);
      const port = Number(environmentOf(docsOf(overlay), node).PORT);
      const http = container.ports!.find((p) => p.name === container.readinessProbe?.httpGet?.port);
      expect(http?.containerPort).toBe(port);
      expect(container.readinessProbe?.httpGet).toEqual({ path: `${BASE_PATH}/ready`, port: 'http' });
      expect(container.livenessProbe?.httpGet).toEqual({ path: `${BASE_PATH}/health`, port: 'http' });
    });

    test('node-service starts with its settings: production, PostgreSQL, Valkey through the sentinels, the portal', () => {
      const docs = docsOf(overlay);
      const env = environmentOf(docs, workload(docs, 'asistencia-node'));
      const secrets = mkdtempSync(join(tmpdir(), 'asistencia-k8s-secrets-'));
      try {
        // The mounted Secret's files, where the *_FILE settings find them.
        const secret = named<ISecret>(docs, 'Secret', secretName(docs, 'asistencia-node'));
        const resolved = Object.fromEntries(
          Object.entries(env).map(([name, value]) => {
            if (!name.endsWith('_FILE') || !value.startsWith('/run/secrets/')) return [name, value];
            const key = value.slice('/run/secrets/'.length);
            const file = join(secrets, key);
            writeFileSync(file, Buffer.from(secret.data![key]!, 'base64'));
            return [name, file];
          }),
        );
        const config = loadConfig(resolved);
        expect(config.env).toBe('production');
        expect(config.devSignIn).toBe(false);
        expect(config.database).toHaveProperty('url', SECRET_FILES.database_url);
        expect(config.internalApiToken).toBe(SECRET_FILES.internal_api_token);
        expect(config.portal.internalUrl).toBe('http://asistencia-php:8081');
        expect(config.publicUrl.protocol).toBe('https:');
        expect(config.trustProxy).not.toEqual(['127.0.0.1', '::1']);
      } finally {
        rmSync(secrets, { recursive: true, force: true });
      }
      expect(env).toMatchObject({ HOST: '0.0.0.0', VALKEY_SENTINEL_MASTER: 'asistencia' });
      expect(env).not.toHaveProperty('VALKEY_URL');
    });

    test('VALKEY_SENTINELS names every sentinel pod, on its port, and the master name they watch', () => {
      const docs = docsOf(overlay);
      const env = environmentOf(docs, workload(docs, 'asistencia-node'));
      const sentinels = workload(docs, 'asistencia-sentinel');
      const sentinel = containerOf(sentinels);
      const port = sentinel.ports!.find((p) => p.name === 'sentinel')!.containerPort;
      const expected = Array.from({ length: sentinels.replicas }, (_, i) => `asistencia-sentinel-${i}.asistencia-sentinel:${port}`);
      expect(env.VALKEY_SENTINELS?.split(',')).toEqual(expected);
      expect(sentinel.env).toContainEqual({ name: 'VALKEY_PRIMARY_NAME', value: env.VALKEY_SENTINEL_MASTER });
      expect(containerOf(workload(docs, 'asistencia-valkey')).env).toContainEqual({ name: 'VALKEY_PRIMARY_NAME', value: env.VALKEY_SENTINEL_MASTER });
    });

    test('the door reaches node-service and node-service the portal by the Services their settings name', () => {
      const docs = docsOf(overlay);
      const door = environmentOf(docs, workload(docs, 'asistencia-php'));
      const node = environmentOf(docs, workload(docs, 'asistencia-node'));
      const servicePort = (name: string) => named<IService>(docs, 'Service', name).spec!.ports!.map((p) => `${name}:${p.port}`);
      expect(servicePort('asistencia-node')).toContain(door.ASISTENCIA_NODE);
      expect(`http://${servicePort('asistencia-node')[0]}`).toBe(door.NODE_INTERNAL_URL);
      expect(`http://${servicePort('asistencia-php')[0]}`).toBe(node.PORTAL_INTERNAL_URL);
      expect(door.JWT_ISSUER).toBe(node.JWT_ISSUER);
      expect(door.JWT_AUDIENCE).toBe(node.JWT_AUDIENCE);
      expect(door.BODY_LIMIT_BYTES).toBe(node.BODY_LIMIT_BYTES);
    });

    test('every setting given to node-service is one it has (README, "Settings")', () => {
      const docs = docsOf(overlay);
      const known = documentedSettings();
      // Node's own, and the Sentinel settings the HA work (issue 28) adds to the service and the README.
      const others = new Set(['NODE_OPTIONS', 'VALKEY_SENTINELS', 'VALKEY_SENTINEL_MASTER']);
      const unknown = Object.keys(environmentOf(docs, workload(docs, 'asistencia-node'))).filter(
        (name) => !known.has(name) && !known.has(name.replace(/_FILE$/, '')) && !others.has(name),
      );
      expect(unknown).toEqual([]);
    });

    test('only the door is exposed, by one Service', () => {
      const exposed = ofKind<IService>(docsOf(overlay), 'Service').filter((s) => s.spec!.type === 'LoadBalancer' || s.spec!.type === 'NodePort');
      expect(exposed.map((s) => [s.metadata!.name, s.spec!.selector])).toEqual([['asistencia-door', { 'app.kubernetes.io/name': 'asistencia-php' }]]);
      expect(exposed[0]!.spec!.ports!.map((p) => p.targetPort)).toEqual(['http', 'https']);
    });

    test('network policies: only the door reaches node-service, only node-service the portal, Valkey and PostgreSQL', () => {
      const docs = docsOf(overlay);
      const door = { pod: 'asistencia-php' };
      const node = { pod: 'asistencia-node' };
      const reach = (client: Parameters<typeof mayConnect>[1], target: string, port: number) => mayConnect(docs, client, target, port);
      for (const client of ['outside', { pod: 'asistencia-valkey' }, { pod: 'asistencia-sentinel' }, { pod: 'asistencia-postgres' }] as const) {
        expect(reach(client, 'asistencia-node', 3000), JSON.stringify(client)).toBe(false);
      }
      expect(reach(door, 'asistencia-node', 3000)).toBe(true);
      expect(reach('outside', 'asistencia-php', 8080)).toBe(true);
      expect(reach('outside', 'asistencia-php', 8443)).toBe(true);
      expect(reach('outside', 'asistencia-php', 8081)).toBe(false);
      expect(reach(node, 'asistencia-php', 8081)).toBe(true);
      expect(reach({ pod: 'asistencia-valkey' }, 'asistencia-php', 8081)).toBe(false);
      for (const [target, port] of [['asistencia-valkey', 6379], ['asistencia-sentinel', 26379], ['asistencia-postgres', 5432]] as const) {
        expect(reach(node, target, port), target).toBe(true);
        expect(reach(door, target, port), target).toBe(false);
        expect(reach('outside', target, port), target).toBe(false);
      }
      expect(reach({ pod: 'asistencia-valkey' }, 'asistencia-valkey', 6379)).toBe(true);
      expect(reach({ pod: 'asistencia-sentinel' }, 'asistencia-valkey', 6379)).toBe(true);
    });
  });

  describe('production', () => {
    const docs = () => docsOf('prod');

    test('three node-service instances, at most one taken away at a time', () => {
      expect(workload(docs(), 'asistencia-node').replicas).toBe(3);
      const budget = named<{ metadata?: { name?: string }; spec: Mapping }>(docs(), 'PodDisruptionBudget', 'asistencia-node');
      expect(budget.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'asistencia-node' } } });
    });

    test('CPU and memory limits are compose.prod.yaml`s', () => {
      const pairs = [
        ['asistencia-node', 'asistencia-node'],
        ['asistencia-php', 'asistencia-php'],
        ['asistencia-valkey', 'asistencia-valkey'],
      ] as const;
      for (const [kubernetes, compose] of pairs) {
        const limits = containerOf(workload(docs(), kubernetes)).resources!.limits!;
        const wanted = composeService(compose).limits;
        expect([cpus(limits.cpu!), bytes(String(limits.memory))], kubernetes).toEqual([cpus(wanted.cpus), bytes(wanted.memory)]);
      }
      const cluster = ofKind<CnpgCluster>(docs(), 'Cluster')[0]!;
      const wanted = composeService('asistencia-postgres').limits;
      expect([cpus(cluster.spec.resources.limits.cpu), bytes(String(cluster.spec.resources.limits.memory))]).toEqual([cpus(wanted.cpus), bytes(wanted.memory)]);
    });

    test('every setting compose gives node-service and the door is given here too', () => {
      // Valkey is reached through the sentinels instead of one address; the door reaches every node-service
      // instance through one Service instead of one balancer member each.
      const replaced: Record<string, string> = { VALKEY_URL: 'VALKEY_SENTINELS', ASISTENCIA_NODE_2: 'ASISTENCIA_NODE', ASISTENCIA_NODE_3: 'ASISTENCIA_NODE' };
      for (const [kubernetes, compose] of [['asistencia-node', 'asistencia-node'], ['asistencia-php', 'asistencia-php']] as const) {
        const env = environmentOf(docs(), workload(docs(), kubernetes));
        const absent = Object.keys(composeService(compose).environment).filter((name) => !((replaced[name] ?? name) in env));
        expect(absent, kubernetes).toEqual([]);
      }
    });

    test('the secrets are compose.prod.yaml`s, by the same names, mounted where compose mounts them', () => {
      // With the standby's address, which only Kubernetes has (CloudNativePG's -ro Service).
      const composeSecrets = [...Object.keys(readComposeFile('compose.prod.yaml').secrets as Mapping), 'database_replica_url'];
      const secret = named<ISecret>(docs(), 'Secret', secretName(docs(), 'asistencia-node'));
      const credentials = named<ISecret>(docs(), 'Secret', 'asistencia-postgres-credentials');
      const keys = [...Object.keys(secret.data!), ...(credentials.data?.password ? ['postgres_password'] : [])];
      expect(keys.sort()).toEqual(composeSecrets.sort());
      for (const name of ['asistencia-node', 'asistencia-php']) {
        const mount = containerOf(workload(docs(), name)).volumeMounts!.find((m) => m.name === 'secrets');
        expect(mount, name).toEqual({ name: 'secrets', mountPath: '/run/secrets', readOnly: true });
      }
    });

    test('PostgreSQL: two instances, a commit waits for the synchronous standby', () => {
      const [cluster, ...others] = ofKind<CnpgCluster>(docs(), 'Cluster');
      expect(others).toEqual([]);
      expect(cluster!.spec.instances).toBe(2);
      expect(cluster!.spec.postgresql?.synchronous).toEqual({ method: 'any', number: 1, dataDurability: 'required' });
      expect(new URL(SECRET_FILES.database_url).hostname).toBe(`${cluster!.metadata.name}-rw`);
      // Reports and exports read the standby (CloudNativePG's read-only Service); node-service reads the file.
      expect(new URL(SECRET_FILES.database_replica_url).hostname).toBe(`${cluster!.metadata.name}-ro`);
      expect(environmentOf(docs(), workload(docs(), 'asistencia-node')).DATABASE_REPLICA_URL_FILE).toBe('/run/secrets/database_replica_url');
    });

    test('Valkey: a primary and a replica, three sentinels', () => {
      expect(workload(docs(), 'asistencia-valkey').replicas).toBe(2);
      expect(workload(docs(), 'asistencia-sentinel').replicas).toBe(3);
    });
  });

  describe('no secret value in the repository', () => {
    test('the Secrets are made only from files under folders git ignores', () => {
      const files = execFileSync('git', ['ls-files', '--', KUBERNETES_DIR], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n');
      const tracked = files.map((file) => readFileSync(resolve(REPO_ROOT, file), 'utf8'));
      expect(tracked.filter((text) => /^kind: Secret$/m.test(text))).toEqual([]);
      for (const overlay of OVERLAYS) {
        const path = join(KUBERNETES_DIR, 'overlays', overlay, 'secrets', 'jwt_secret');
        expect(execFileSync('git', ['check-ignore', '--no-index', path], { cwd: REPO_ROOT, encoding: 'utf8' }).trim(), overlay).toBe(path);
      }
      const generated = ofKind<ISecret>(docsOf('prod'), 'Secret').flatMap((s) => Object.values(s.data ?? {}).map((v) => Buffer.from(v, 'base64').toString().trim()));
      expect(generated.filter((value) => value !== 'asistencia')).toEqual(
        expect.arrayContaining([SECRET_FILES.jwt_secret, SECRET_FILES.internal_api_token, SECRET_FILES.postgres_password]),
      );
    });
  });

  describe('the checks themselves', () => {
    const broken = (edit: (docs: Mapping[]) => void) => {
      const docs = structuredClone(docsOf('prod'));
      edit(docs);
      return docs;
    };
    const node = (docs: Mapping[]) => containerOf(workload(docs, 'asistencia-node')) as unknown as Mapping;

    test('a misspelt probe, a writable root or a missing limit fails the schema', () => {
      const misspelt = broken((docs) => {
        const c = node(docs);
        c.readinessProb = c.readinessProbe;
        delete c.readinessProbe;
      });
      expect(schemaProblems(misspelt).join('\n')).toMatch(/Deployment asistencia-node: .*readinessProbe/);
      const writable = broken((docs) => ((node(docs).securityContext as Mapping).readOnlyRootFilesystem = false));
      expect(schemaProblems(writable).join('\n')).toMatch(/readOnlyRootFilesystem/);
      const unlimited = broken((docs) => delete ((node(docs).resources as Mapping).limits as Mapping).memory);
      expect(schemaProblems(unlimited).join('\n')).toMatch(/limits\.memory/);
      const wrongKind = broken((docs) => (docs.find((d) => d.kind === 'PodDisruptionBudget')!.apiVersion = 'policy/v1beta2'));
      expect(schemaProblems(wrongKind).join('\n')).toMatch(/policy\/v1beta2\/PodDisruptionBudget is not a kind/);
      const asynchronous = broken((docs) => (((docs.find((d) => d.kind === 'Cluster')!.spec as Mapping).postgresql as Mapping).synchronous = { method: 'any', number: 2 }));
      expect(schemaProblems(asynchronous).join('\n')).toMatch(/synchronous\.number must be below instances/);
    });

    test('a selector that misses its pods, or a Secret key that is not there, is named', () => {
      const docs = broken((d) => {
        ((workloads(d).find((w) => w.name === 'asistencia-node')!.template.metadata!.labels!)['app.kubernetes.io/name'] = 'node');
        const secret = d.find((doc) => doc.kind === 'Secret' && isMapping(doc.data) && 'jwt_secret' in doc.data)!;
        delete (secret.data as Mapping).jwt_secret;
      });
      const problems = referenceProblems(docs).join('\n');
      expect(problems).toMatch(/Deployment asistencia-node: its selector does not match/);
      expect(problems).toMatch(/Service asistencia-node: its selector matches no pod/);
      expect(problems).toMatch(/has no key jwt_secret/);
    });

    test('a policy on node-service that admits any client lets the outside in', () => {
      const open = broken((d) => {
        const policy = d.find((doc) => doc.kind === 'NetworkPolicy' && (doc.metadata as Mapping).name === 'asistencia-node')!;
        delete (((policy.spec as Mapping).ingress as Mapping[])[0] as Mapping).from;
      });
      expect(mayConnect(docsOf('prod'), 'outside', 'asistencia-node', 3000)).toBe(false);
      expect(mayConnect(open, 'outside', 'asistencia-node', 3000)).toBe(true);
    });
  });
});

/** The Secret mounted at /run/secrets in a workload's pods (its name carries kustomize's hash). */
function secretName(docs: readonly Mapping[], name: string): string {
  const volume = workload(docs, name).template.spec!.volumes!.find((v) => v.name === 'secrets');
  return volume!.secret!.secretName!;
}
