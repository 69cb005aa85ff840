// The high-availability parts of compose.ha.yaml as the ha lane drives them: who Patroni and the sentinels
// call primary, psql through HAProxy, and a crowd of enrolled phones that scan through the door.
import { readFile } from 'node:fs/promises';
import { request, Agent } from 'node:https';
import { join } from 'node:path';
import { podman, podmanBytes, sleep, type Stack } from '../../../scripts/containers/stack.js';
import { seedEnrolledPhones } from '../../enrollment/seeded-phones.js';
import { freshStudent, type TestUser } from '../../enrollment/support.js';
import type { Phone } from '../../support/phone.js';
import type { RunningService } from '../../support/service.js';

export const PATRONI_MEMBERS = ['asistencia-pg-1', 'asistencia-pg-2'] as const;
const SENTINELS = ['asistencia-sentinel-1', 'asistencia-sentinel-2', 'asistencia-sentinel-3'] as const;
/** The name the sentinels watch the Valkey primary under (compose.ha.yaml, VALKEY_SENTINEL_MASTER). */
const VALKEY_MASTER = 'asistencia';

/** Polls `ask` until it gives a value, or throws `what` after `timeoutMs`. */
export async function until<T>(ask: () => Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await ask();
      if (value !== undefined) return value;
    } catch (error) {
      last = String(error).slice(0, 300);
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms${last ? ` (last: ${last})` : ''}`);
    await sleep(everyMs);
  }
}

interface PatroniMember {
  name: string;
  role: string;
  state: string;
}

/** Patroni's view of the cluster (GET /cluster), asked of a member's own REST API inside its container. */
async function patroniCluster(stack: Stack, member: string): Promise<PatroniMember[]> {
  const script = "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8008/cluster', timeout=2).read().decode())";
  const out = await podman(['exec', await stack.container(member), 'python3', '-c', script], { timeoutMs: 10_000 });
  return (JSON.parse(out) as { members: PatroniMember[] }).members;
}

/** The member that leads, running, with the other one its synchronous standby, streaming. */
export async function patroniHealthy(stack: Stack, timeoutMs: number): Promise<string> {
  return until(
    async () => {
      const members = await patroniCluster(stack, PATRONI_MEMBERS[0]);
      const leader = members.find((m) => m.role === 'leader' && m.state === 'running');
      const standby = members.find((m) => m.role === 'sync_standby' && (m.state === 'streaming' || m.state === 'running'));
      return leader && standby ? leader.name : undefined;
    },
    timeoutMs,
    'no Patroni leader with a synchronous standby',
    1000,
  );
}

/** Resolves once `survivor` leads, running: the other member was lost. */
export async function patroniPromoted(stack: Stack, survivor: string, timeoutMs: number): Promise<void> {
  await until(
    async () => ((await patroniCluster(stack, survivor)).some((m) => m.name === survivor && m.role === 'leader' && m.state === 'running') ? true : undefined),
    timeoutMs,
    `${survivor} did not become the leader`,
  );
}

/**
 * psql through HAProxy (asistencia-postgres) as node-service connects, with the postgres_password secret
 * mounted there; the statement on stdin. One value per row.
 */
export async function haSql(stack: Stack, statement: string): Promise<string[]> {
  const out = await podmanBytes(
    [
      'exec', '-i', await stack.container('asistencia-postgres'), 'sh', '-c',
      'PGPASSWORD=$(cat /run/secrets/postgres_password) PGCONNECT_TIMEOUT=3 psql -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -U asistencia -d asistencia',
    ],
    Buffer.from(statement),
  );
  return out.toString('utf8').split('\n').filter(Boolean);
}

/** The Valkey server the sentinels call primary now (its host name), asked of the first one that answers. */
export async function valkeyPrimary(stack: Stack): Promise<string> {
  for (const sentinel of SENTINELS) {
    const out = await stack
      .exec(sentinel, ['valkey-cli', '-p', '26379', 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', VALKEY_MASTER])
      .catch(() => '');
    const [host] = out.split('\n');
    if (host) return host;
  }
  throw new Error('no sentinel answered');
}

/** A SQL literal for a parameter of the seeding statement: text, bytes or arrays of them. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(',')}]`;
  if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'`;
  return `'${String(value).replace(/'/g, "''")}'`;
}

/**
 * `count` students with an enrolled phone each, seeded in the stack's database through HAProxy (the rows an
 * enrolment writes: enrollment/seeded-phones.ts), for the stack's public origin.
 */
export async function seedCrowd(stack: Stack, count: number): Promise<{ service: RunningService; crowd: { student: TestUser; phone: Phone }[] }> {
  const service = {
    baseUrl: stack.httpsOrigin,
    config: { publicUrl: new URL(stack.httpsOrigin) },
    db: {
      // The statement with its parameters written in, through psql (no port of the database is published).
      query: async (text: string, params: readonly unknown[]) => {
        await haSql(stack, text.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1])));
        return { rows: [] };
      },
    },
    // The helpers read only baseUrl, config.publicUrl and db.query of a service.
  } as unknown as RunningService;
  const students = Array.from({ length: count }, () => freshStudent('Estudiante HA'));
  const phones = await seedEnrolledPhones(service, students);
  return { service, crowd: students.map((student, i) => ({ student, phone: phones[i]! })) };
}

/**
 * fetch through the door over HTTPS trusting the stack's own certificate (Node's fetch takes no CA of its
 * own): what the test helpers' requests use while they talk to the stack.
 */
export async function doorFetch(stack: Stack): Promise<typeof fetch> {
  const ca = await readFile(join(stack.dir, 'secrets/tls_certificate.pem'));
  const agent = new Agent({ ca, keepAlive: true, maxSockets: 64 });
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const body = typeof init.body === 'string' ? init.body : undefined;
    const headers: Record<string, string> = Object.fromEntries(new Headers(init.headers).entries());
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise<Response>((done, fail) => {
      const req = request(url, { method: init.method ?? 'GET', headers, agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) out.set(name, Array.isArray(value) ? value.join(', ') : value);
          done(new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: out }));
        });
        res.on('error', fail);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', fail);
      req.end(body);
    });
  }) as typeof fetch;
}
