import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deploymentReplica, playOverlay, statefulSetReplicas, until, type Playground, type Replica } from '../../deploy/kube-play.js';
import { SECRET_FILES } from '../../deploy/kustomize.js';
import { buildImages, makeBases } from '../../../scripts/containers/stack.js';

// `podman kube play` of the development render's door and node-service, with Valkey and its sentinels as
// rendered, and a stand-in for CloudNativePG's PostgreSQL (podman cannot play an operator): node-service
// comes up ready with the settings, secrets and security contexts the manifests give it, and the door
// serves the portal and reaches node-service by its Service name. The project's images are the ones the
// containers lane builds, localhost/asistencia-node and -php tagged ASISTENCIA_TAG (latest unless set).

const TAG = process.env.ASISTENCIA_TAG || 'latest';
const NODE_IMAGE = `localhost/asistencia-node:${TAG}`;
const PHP_IMAGE = `localhost/asistencia-php:${TAG}`;
const VALKEY_IMAGE = 'localhost/asistencia-local/valkey:8';
const POSTGRES_IMAGE = 'localhost/asistencia-local/postgres:15';

let played: Playground | undefined;
const address = (hostname: string) => played!.pod(hostname).address;

/** What CloudNativePG would run for the Cluster, reached at its -rw Service's name: the compose stand-in. */
function postgresStandIn(): Replica {
  const url = new URL(SECRET_FILES.database_url);
  const template: IPodTemplateSpec = {
    metadata: { labels: { 'cnpg.io/cluster': 'asistencia-postgres' } },
    spec: {
      containers: [
        {
          name: 'postgres',
          image: POSTGRES_IMAGE,
          env: [
            { name: 'POSTGRES_USER', value: url.username },
            { name: 'POSTGRES_DB', value: url.pathname.slice(1) },
            { name: 'POSTGRES_PASSWORD', value: decodeURIComponent(url.password) },
          ],
        },
      ],
    },
  };
  return { hostname: 'asistencia-postgres-1', names: [url.hostname], template, image: POSTGRES_IMAGE };
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000), redirect: 'manual' });
  return { status: response.status, body: await response.text() };
}


// The containers lane's `kube` (npm run containers -- test kube, in `all` after prod): the bases and the
// production images are made first (cached layers when the prod lane just built them), so nothing is
// missing but what the machine lacks (kubectl, podman), and that fails the lane by name.
describe('podman kube play: the door and node-service as the development overlay renders them', () => {
  beforeAll(async () => {
    await makeBases();
    await buildImages('prod', { tag: TAG });
    played = await playOverlay('dev', [NODE_IMAGE, PHP_IMAGE, VALKEY_IMAGE, POSTGRES_IMAGE], 150, (docs) => [
      postgresStandIn(),
      ...statefulSetReplicas(docs, 'asistencia-valkey', VALKEY_IMAGE),
      ...statefulSetReplicas(docs, 'asistencia-sentinel', VALKEY_IMAGE),
      deploymentReplica(docs, 'asistencia-node', NODE_IMAGE, ['asistencia-node']),
      deploymentReplica(docs, 'asistencia-php', PHP_IMAGE, ['asistencia-php', 'asistencia-door']),
    ]);
  }, 1_500_000);

  afterAll(async () => played?.down(), 120_000);

  test('node-service is ready: PostgreSQL at its -rw name, Valkey through the sentinels, migrations applied', async () => {
    const ready = await until('node-service ready', 150_000, async () => {
      const answer = await get(`http://${address('asistencia-node')}:3000/asistencia/ready`);
      return answer.status === 200 ? (JSON.parse(answer.body) as { parts: Record<string, string> }) : undefined;
    });
    expect(ready.parts).toMatchObject({ postgres: 'ok', valkey: 'ok' });
  }, 180_000);

  test('the door serves the portal and reaches node-service by its Service name', async () => {
    const door = address('asistencia-php');
    const login = await until('the portal', 60_000, async () => {
      const answer = await get(`http://${door}:8080/login.php`);
      return answer.status === 200 ? answer : undefined;
    });
    expect(login.body).toMatch(/<form/i);
    // The balancer's health check (every 2 s) may not have passed yet when the portal first answers.
    const health = await until('node-service through the door', 30_000, async () => {
      const answer = await get(`http://${door}:8080/asistencia/health`);
      return answer.status === 200 ? answer : undefined;
    });
    expect(health.body).toBe('{"status":"ok"}');
  }, 90_000);
});
