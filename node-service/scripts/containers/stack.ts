// The whole product under podman compose, as operators run it: images built from the project's
// Containerfiles (on local Debian bases where no registry is reachable), the compose files as shipped,
// docker-compose v1 talking to podman's Docker-compatible API (`podman compose` needs podman ≥ 4.7), and a
// health-check runner while there is no systemd to run the checks. Used by `npm run containers` and the
// containers lane of the tests (test/containers/live/).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const LOCAL_BASES = {
  debian: 'localhost/asistencia-local/debian:bookworm',
  node: 'localhost/asistencia-local/node:24',
  postgres: 'localhost/asistencia-local/postgres:15',
  valkey: 'localhost/asistencia-local/valkey:8',
} as const;

/** dev and prod as shipped; ha is production with the high-availability parts (compose.ha.yaml). */
export type Flavour = 'dev' | 'prod' | 'ha';

/** Host ports the door is published on: dev's are fixed by compose.dev.yaml, the others are chosen here. */
const DOOR_PORTS: Record<Flavour, { http: number; https: number }> = {
  dev: { http: 9500, https: 9505 },
  prod: { http: 19580, https: 19585 },
  ha: { http: 19680, https: 19685 },
};

/**
 * ha runs beside dev or prod on the same host: its own private network (the default 10.95.0.0/24 is theirs),
 * and its own image tag, so its builds never replace the images another lane runs.
 */
const OWN_NETWORK: Partial<Record<Flavour, Record<string, string>>> = {
  ha: {
    ASISTENCIA_SUBNET: '10.96.0.0/24',
    ASISTENCIA_IP_RANGE: '10.96.0.128/25',
    ASISTENCIA_PHP_ADDRESS: '10.96.0.10',
    ASISTENCIA_NODE_ADDRESS: '10.96.0.20',
    ASISTENCIA_NODE_2_ADDRESS: '10.96.0.21',
    ASISTENCIA_NODE_3_ADDRESS: '10.96.0.22',
  },
};
const OWN_TAG: Partial<Record<Flavour, string>> = { ha: 'ha' };

/** The compose files of each flavour, in order. */
const COMPOSE_FILES_OF: Record<Flavour, readonly string[]> = {
  dev: ['compose.yaml', 'compose.dev.yaml'],
  prod: ['compose.yaml', 'compose.prod.yaml'],
  ha: ['compose.yaml', 'compose.prod.yaml', 'compose.ha.yaml'],
};

/** compose.ha.yaml's own images: each folder under containers/ha/, and the base it builds on. */
const HA_IMAGES = [
  { name: 'patroni', arg: `POSTGRES_IMAGE=${LOCAL_BASES.postgres}` },
  { name: 'haproxy', arg: `POSTGRES_IMAGE=${LOCAL_BASES.postgres}` },
  { name: 'etcd', arg: `DEBIAN_IMAGE=${LOCAL_BASES.debian}` },
  { name: 'sentinel', arg: `VALKEY_IMAGE=${LOCAL_BASES.valkey}` },
] as const;

const SOCKET = '/run/asistencia-containers/podman.sock';
const ENGINE_ENV = {
  ...process.env,
  CONTAINERS_CONF: process.env['CONTAINERS_CONF'] ?? join(REPO_ROOT, 'containers/containers.conf'),
  DOCKER_HOST: `unix://${SOCKET}`,
};

function log(message: string): void {
  process.stderr.write(`containers: ${message}\n`);
}

export async function podman(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await run('podman', args, { env: ENGINE_ENV, maxBuffer: 64 << 20, timeout: options.timeoutMs ?? 600_000 });
  return stdout;
}

/** podman with bytes in and out (a database dump through `podman exec -i`). */
export function podmanBytes(args: readonly string[], input?: Buffer): Promise<Buffer> {
  return new Promise((done, fail) => {
    const child = spawn('podman', args, { env: ENGINE_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0 ? done(Buffer.concat(out)) : fail(new Error(`podman ${args.join(' ')}: exit ${code}: ${Buffer.concat(err).toString()}`)),
    );
    child.stdin.end(input);
  });
}

/** podman's Docker-compatible API on a socket of our own, started when it does not answer. */
async function engineAnswers(): Promise<boolean> {
  if (!existsSync(SOCKET)) return false;
  return new Promise((done) => {
    const req = request({ socketPath: SOCKET, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

let engine: ChildProcess | undefined;

export async function startEngine(): Promise<void> {
  if (await engineAnswers()) return;
  await mkdir(join(SOCKET, '..'), { recursive: true });
  engine = spawn('podman', ['system', 'service', '--time=0', `unix://${SOCKET}`], { env: ENGINE_ENV, stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await engineAnswers()); i += 1) await sleep(100);
  if (!(await engineAnswers())) throw new Error(`podman system service did not answer on ${SOCKET}`);
}

export function stopEngine(): void {
  engine?.kill('SIGTERM');
  engine = undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** The local bases (containers/local/make-bases.sh keeps them while their inputs are unchanged). */
export async function makeBases(): Promise<void> {
  await run('bash', [join(REPO_ROOT, 'containers/local/make-bases.sh')], { env: ENGINE_ENV, maxBuffer: 64 << 20, timeout: 900_000 });
}

export interface BuildOptions {
  /** The source tree to build from (default: this checkout). */
  readonly source?: string;
  /** The tag compose runs (ASISTENCIA_TAG); dev's node image is always :dev. */
  readonly tag?: string;
}

/** The images compose runs, built from the project's Containerfiles on the local bases. */
export async function buildImages(flavour: Flavour, options: BuildOptions = {}): Promise<void> {
  const source = options.source ?? REPO_ROOT;
  const tag = options.tag ?? OWN_TAG[flavour] ?? 'latest';
  const build = (args: readonly string[]) =>
    // Host networking for the build steps (apt, npm): the machine's resolver may not answer from a bridge.
    podman(['build', '--format', 'docker', '--pull=never', '--layers', '--network', 'host', ...args, source], { timeoutMs: 1_200_000 });
  log(`building node-service (${flavour === 'dev' ? 'development' : 'production'}) and the portal from ${source}`);
  await build([
    '--build-arg', `NODE_IMAGE=${LOCAL_BASES.node}`,
    '--target', flavour === 'dev' ? 'development' : 'production',
    '-t', flavour === 'dev' ? 'localhost/asistencia-node:dev' : `localhost/asistencia-node:${tag}`,
  ]);
  await build([
    '--build-arg', `DEBIAN_IMAGE=${LOCAL_BASES.debian}`,
    '-f', join(source, 'php-legacy/Containerfile'),
    '-t', `localhost/asistencia-php:${tag}`,
  ]);
  if (flavour !== 'ha') return;
  log('building the high-availability images (Patroni, HAProxy, etcd, Sentinel)');
  for (const { name, arg } of HA_IMAGES) {
    const context = join(REPO_ROOT, 'containers/ha', name);
    await podman(['build', '--format', 'docker', '--pull=never', '--layers', '--network', 'host', '--build-arg', arg, '-t', `localhost/asistencia-ha-${name}:${tag}`, context], {
      timeoutMs: 1_200_000,
    });
  }
}

/** Runs every container's health check of a project every two seconds: what systemd timers do elsewhere. */
function startHealthRunner(project: string): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const ids = await podman(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`]).catch(() => '');
      for (const id of ids.split('\n').filter(Boolean)) {
        if (stopped) break;
        await podman(['healthcheck', 'run', id], { timeoutMs: 15_000 }).catch(() => undefined);
      }
      await sleep(2000);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

export interface StackOptions extends BuildOptions {
  readonly build?: boolean;
  /** More settings for compose's .env (e.g. PUBLIC_URL). */
  readonly env?: Record<string, string>;
}

export interface Stack {
  readonly flavour: Flavour;
  readonly project: string;
  /** The project directory: symlinks to the repository's folders, .env and secrets/. */
  readonly dir: string;
  /** The door as a browser on this machine reaches it. */
  readonly origin: string;
  readonly httpsOrigin: string;
  readonly secrets: Readonly<Record<string, string>>;
  compose(args: readonly string[], options?: { timeoutMs?: number }): Promise<string>;
  /** The container id of a service (its first replica). */
  container(service: string): Promise<string>;
  exec(service: string, command: readonly string[], options?: { user?: string }): Promise<string>;
  down(): Promise<void>;
}

/** Values a test or an operator trying things gets: long random hex, as .env.example asks. */
function secretValues(): Record<string, string> {
  const hex = () => randomBytes(32).toString('hex');
  return { JWT_SECRET: hex(), INTERNAL_API_TOKEN: hex(), POSTGRES_PASSWORD: hex() };
}

async function projectDir(flavour: Flavour, source: string, values: Record<string, string>, env: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `asistencia-${flavour}-`));
  for (const folder of ['database', 'php-legacy', 'apache-config', 'node-service', 'containers']) {
    await symlink(join(source, folder), join(dir, folder));
  }
  const ports = DOOR_PORTS[flavour];
  const settings: Record<string, string> =
    flavour === 'dev'
      ? { ...values, PUBLIC_URL: `http://localhost:${ports.http}` }
      : {
          PUBLIC_URL: `https://localhost:${ports.https}`,
          ASISTENCIA_SERVER_NAME: 'localhost',
          ASISTENCIA_HTTP_PORT: String(ports.http),
          ASISTENCIA_HTTPS_PORT: String(ports.https),
        };
  Object.assign(settings, OWN_NETWORK[flavour] ?? {}, env);
  await writeFile(join(dir, '.env'), Object.entries(settings).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  if (flavour !== 'dev') await writeSecrets(join(dir, 'secrets'), values, flavour === 'ha');
  return dir;
}

/** secrets/ as docs/operations.md has operators make it, with a self-signed certificate for localhost. */
async function writeSecrets(dir: string, values: Record<string, string>, ha: boolean): Promise<void> {
  await mkdir(dir, { mode: 0o700 });
  const files: Record<string, string> = {
    jwt_secret: values['JWT_SECRET']!,
    internal_api_token: values['INTERNAL_API_TOKEN']!,
    postgres_password: values['POSTGRES_PASSWORD']!,
    database_url: `postgres://asistencia:${values['POSTGRES_PASSWORD']}@asistencia-postgres:5432/asistencia`,
    // compose.ha.yaml: Patroni's superuser and replication users.
    ...(ha ? { patroni_superuser_password: randomBytes(32).toString('hex'), patroni_replication_password: randomBytes(32).toString('hex') } : {}),
  };
  for (const [name, value] of Object.entries(files)) await writeFile(join(dir, name), value);
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'tls_private_key.pem'), '-out', join(dir, 'tls_certificate.pem'),
  ]);
  for (const name of [...Object.keys(files), 'tls_private_key.pem', 'tls_certificate.pem']) await chmod(join(dir, name), 0o644);
}

async function composeCommand(
  flavour: Flavour,
  project: string,
  dir: string,
  args: readonly string[],
  timeoutMs = 600_000,
): Promise<string> {
  const files = COMPOSE_FILES_OF[flavour].flatMap((f) => ['-f', join(REPO_ROOT, f)]);
  const { stdout } = await run('docker-compose', ['--compatibility', '-p', project, '--project-directory', dir, ...files, ...args], {
    env: ENGINE_ENV,
    cwd: dir,
    maxBuffer: 64 << 20,
    timeout: timeoutMs,
  });
  return stdout;
}

/**
 * The source of an earlier commit, as an operator's checkout of that release, with today's container
 * files laid over it (older commits' images were built on bases these machines cannot make): what is
 * upgraded is the application and its migrations. Returns the folder; the caller removes it.
 */
export async function checkoutRelease(commit: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'asistencia-release-'));
  await run('bash', ['-c', 'git -C "$0" archive "$1" | tar -x -C "$2"', REPO_ROOT, commit, dir]);
  const containerFiles = ['Containerfile', '.containerignore', 'php-legacy/Containerfile', 'php-legacy/container', 'apache-config/modules-debian.conf'];
  for (const path of containerFiles) await run('cp', ['-a', '--remove-destination', join(REPO_ROOT, path), join(dir, path, '..')]);
  // Today's Containerfile copies database/functions/, which releases before it do not have (nor read).
  await mkdir(join(dir, 'database/functions'), { recursive: true });
  return dir;
}

/** The commit before the last one that added a migration: the release an upgrade starts from. */
export async function releaseBeforeLastMigration(): Promise<string> {
  const { stdout } = await run('git', ['-C', REPO_ROOT, 'log', '-1', '--diff-filter=A', '--format=%H', '--', 'database/migrations/*.do.*.sql']);
  const { stdout: parent } = await run('git', ['-C', REPO_ROOT, 'rev-parse', `${stdout.trim()}^`]);
  return parent.trim();
}

/**
 * Removes every container, volume and network of a compose project with podman alone: what `down -v`
 * does, for a project whose compose files or temporary directory are gone (an interrupted run).
 */
export async function removeProject(project: string): Promise<void> {
  const label = `label=com.docker.compose.project=${project}`;
  const ids = (await podman(['ps', '-aq', '--filter', label])).split('\n').filter(Boolean);
  if (ids.length > 0) await podman(['rm', '-f', '-t', '5', ...ids]);
  const volumes = (await podman(['volume', 'ls', '-q', '--filter', label])).split('\n').filter(Boolean);
  if (volumes.length > 0) await podman(['volume', 'rm', '-f', ...volumes]);
  const networks = (await podman(['network', 'ls', '-q', '--filter', label])).split('\n').filter(Boolean);
  if (networks.length > 0) await podman(['network', 'rm', '-f', ...networks]);
}

/** Builds (unless told not to), brings the whole compose up and waits until the door serves the product. */
export async function startStack(flavour: Flavour, options: StackOptions = {}): Promise<Stack> {
  await startEngine();
  if (options.build !== false) {
    await makeBases();
    await buildImages(flavour, options);
  }
  const project = `asistencia-${flavour}`;
  const values = secretValues();
  const dir = await projectDir(flavour, options.source ?? REPO_ROOT, values, {
    POSTGRES_IMAGE: LOCAL_BASES.postgres,
    VALKEY_IMAGE: LOCAL_BASES.valkey,
    ...((options.tag ?? OWN_TAG[flavour]) ? { ASISTENCIA_TAG: (options.tag ?? OWN_TAG[flavour])! } : {}),
    ...options.env,
  });
  const compose = (args: readonly string[], o: { timeoutMs?: number } = {}) => composeCommand(flavour, project, dir, args, o.timeoutMs);
  // What a previous run left (a second `up` on an existing network fails).
  await removeProject(project);
  const stopHealth = startHealthRunner(project);
  const container = async (service: string) => {
    const id = (await podman(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`])).split('\n')[0];
    if (!id) throw new Error(`no running container for ${service}`);
    return id;
  };
  const stack: Stack = {
    flavour,
    project,
    dir,
    origin: `http://localhost:${DOOR_PORTS[flavour].http}`,
    httpsOrigin: `https://localhost:${DOOR_PORTS[flavour].https}`,
    secrets: values,
    compose,
    container,
    async exec(service, command, o = {}) {
      return podman(['exec', ...(o.user ? ['--user', o.user] : []), await container(service), ...command]);
    },
    async down() {
      await stopHealth();
      await compose(['down', '-v', '--remove-orphans']).catch((error: unknown) => log(`down failed: ${String(error)}`));
      // Whatever `down` left (a container it no longer lists, a network still in use): nothing stays.
      await removeProject(project);
      await rm(dir, { recursive: true, force: true });
      stopEngine();
    },
  };
  try {
    log(`${project}: up`);
    await compose(['up', '-d', '--no-build'], { timeoutMs: 600_000 });
    return stack;
  } catch (error) {
    const logs = await compose(['logs', '--no-color', '--tail', '40']).catch(() => '');
    await stack.down();
    throw new Error(`${project} did not come up: ${String(error)}\n${logs}`);
  }
}
