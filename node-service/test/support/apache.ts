import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The real single door for tests, shaped as in production: Debian's Apache with the event MPM, sized by
 * apache-config/mpm-event.conf and configured by apache-config/asistencia.conf, and PHP in php-fpm behind
 * it on a unix socket, serving php-legacy/public, both in a temporary ServerRoot. Nothing is mocked.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const APACHE_CONFIG_DIR = join(REPO_ROOT, 'apache-config');
export const PHP_LEGACY_DIR = join(REPO_ROOT, 'php-legacy');
const APACHE_BINARY = process.env.APACHE_BINARY ?? '/usr/sbin/apache2';
const MODULES_CONF = process.env.APACHE_MODULES_CONF ?? join(APACHE_CONFIG_DIR, 'modules-debian.conf');
const PHP_FPM_BINARY = process.env.PHP_FPM_BINARY ?? '/usr/sbin/php-fpm8.2';
/** The largest request body node-service accepts by default (its BODY_LIMIT_BYTES). */
export const DEFAULT_BODY_LIMIT_BYTES = 65536;
/** The unprivileged account Apache's and php-fpm's workers switch to when the tests run as root. */
const WORKER_ACCOUNT = 'www-data';

export interface ApacheOptions {
  /** Fixed ports (e.g. 9500/9505 for a manual stack); free ports of 127.0.0.1 otherwise. */
  httpPort?: number;
  httpsPort?: number;
  internalPort?: number;
  /** ASISTENCIA_NODE: node-service as host:port. Default 127.0.0.1:3000. */
  node?: string;
  /** ASISTENCIA_NODE_2 and _3: more members of the balancer (host:port), as compose.prod.yaml runs three instances. */
  moreNodes?: string[];
  jwtSecret?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  internalApiToken?: string;
  /** NODE_INTERNAL_URL, where logout sends revocations. Default http://127.0.0.1:3000. */
  nodeInternalUrl?: string;
  /** PEM files; a self-signed pair for localhost/127.0.0.1 is generated when absent. */
  tlsCert?: string;
  tlsKey?: string;
  /** More PHP settings (e.g. LOGIN_MAX_FAILURES); a value of undefined removes a default. */
  env?: Record<string, string | undefined>;
  /** ASISTENCIA_BODY_LIMIT_BYTES: node-service's BODY_LIMIT_BYTES, so both refuse the same bodies. */
  bodyLimitBytes?: number;
  /** ASISTENCIA_JUSTIFICATION_BODY_LIMIT_BYTES: node-service's for its justification route (unset: Apache's default). */
  justificationBodyLimitBytes?: number;
  startTimeoutMs?: number;
  /** More `Define`s for asistencia.conf, as the container's httpd-defines.conf sets (e.g. ASISTENCIA_REDIRECT_HTTPS). */
  defines?: Record<string, string | true>;
  /**
   * The door's size. 'production' includes apache-config/mpm-event.conf as every deployment does (24
   * children and 6,000 threads started at boot); the capacity test, the benchmark and `npm run stack` need
   * it. 'test' (the default) is a small event MPM of the same shape, every child started at boot and none
   * stopped, for the tests that prove what the door does rather than how much it carries: 6,000 threads per
   * start cost seconds of CPU on a shared machine, and the suite starts the door about forty times.
   */
  mpm?: 'production' | 'test';
}

interface ApacheLogs {
  error: string;
  access: string;
  /** php-fpm's own log, with what PHP wrote to its error log. */
  php: string;
}

export interface RunningApache {
  httpUrl: string;
  httpsUrl: string;
  /** The internal listener that serves only /internal/ (what node-service calls). */
  internalUrl: string;
  /** The settings PHP was started with (secrets included, for the tests to verify with). */
  phpEnv: Record<string, string>;
  serverRoot: string;
  /** The main process of Apache and of php-fpm (their workers are their children). */
  pids: { apache: number; phpFpm: number };
  logs(): ApacheLogs;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

/** Apache and php-fpm each run in a process group of their own (see spawn below): this reaches their workers too. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** True while any process of the child's group is alive (Apache's children outlive their parent briefly). */
function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startApache(options: ApacheOptions = {}): Promise<RunningApache> {
  const serverRoot = await mkdtemp(join(tmpdir(), 'asistencia-apache-'));
  try {
    return await startIn(serverRoot, options);
  } catch (error) {
    await rm(serverRoot, { recursive: true, force: true });
    throw error;
  }
}

async function startIn(serverRoot: string, options: ApacheOptions): Promise<RunningApache> {
  // Picked together, so no two listeners can be handed the same port; and never a port the caller fixed.
  const given = new Set([options.httpPort, options.httpsPort, options.internalPort].filter((p): p is number => p !== undefined));
  const spare = (await freePorts(3 + given.size)).filter((port) => !given.has(port));
  const ports = {
    http: options.httpPort ?? spare.pop()!,
    https: options.httpsPort ?? spare.pop()!,
    internal: options.internalPort ?? spare.pop()!,
  };
  const dirs = await makeServerDirs(serverRoot);
  const tls = options.tlsCert && options.tlsKey
    ? { cert: options.tlsCert, key: options.tlsKey }
    : await selfSignedCertificate(serverRoot);
  const portalRoot = portalRootFor(serverRoot);
  const phpEnv = phpEnvironment(options, dirs);
  const fpmSocket = join(dirs.run, 'php-fpm.sock');
  const confPath = join(serverRoot, 'httpd.conf');
  await writeFile(confPath, httpdConf({
    serverRoot, dirs, ports, tls, portalRoot, fpmSocket,
    node: options.node ?? '127.0.0.1:3000',
    moreNodes: options.moreNodes ?? [],
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    justificationBodyLimitBytes: options.justificationBodyLimitBytes,
    mpm: options.mpm ?? 'test',
    defines: options.defines ?? {},
  }));
  const fpmConfPath = join(serverRoot, 'php-fpm.conf');
  await writeFile(fpmConfPath, phpFpmConf(dirs, fpmSocket));

  const logs = (): ApacheLogs => ({
    error: readIfExists(join(dirs.logs, 'error.log')),
    access: readIfExists(join(dirs.logs, 'access.log')),
    php: readIfExists(join(dirs.logs, 'php-fpm.log')),
  });
  const baseEnv = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
  // PHP reads its settings from php-fpm's environment (clear_env = no), as in the php container.
  const fpm = spawnGroup(PHP_FPM_BINARY, ['--nodaemonize', '--fpm-config', fpmConfPath], { ...baseEnv, ...phpEnv });
  const apache = spawnGroup(APACHE_BINARY, ['-f', confPath, '-DFOREGROUND'], baseEnv, false);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await apache.stop();
    await fpm.stop();
    await rm(serverRoot, { recursive: true, force: true });
  };

  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  try {
    await fpm.until(() => existsSync(fpmSocket), startTimeoutMs, 'php-fpm');
    apache.launch();
    await apache.until(async () => (await Promise.all([ports.http, ports.https, ports.internal].map(accepts))).every(Boolean), startTimeoutMs, 'apache2');
  } catch (error) {
    const message = (error as Error).message;
    const { error: errorLog, php } = logs();
    const output = `${apache.output()}${fpm.output()}`;
    await stop();
    throw new Error(
      `Apache did not start (${message}).\n--- apache2 and php-fpm output ---\n${output}\n--- error log ---\n${errorLog}\n--- php-fpm log ---\n${php}`,
    );
  }
  return {
    httpUrl: `http://127.0.0.1:${ports.http}`,
    httpsUrl: `https://127.0.0.1:${ports.https}`,
    internalUrl: `http://127.0.0.1:${ports.internal}`,
    phpEnv,
    serverRoot,
    pids: { apache: apache.pid(), phpFpm: fpm.pid() },
    logs,
    stop,
  };
}

interface GroupProcess {
  /** Starts it (done at once unless spawnGroup was told to wait). */
  launch(): void;
  pid(): number;
  output(): string;
  /** Resolves when `ready` holds; rejects when the process exits first or the time is up. */
  until(ready: () => boolean | Promise<boolean>, timeoutMs: number, name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A server in a process group of its own: Apache and php-fpm signal their whole group at shutdown, which
 * must not be ours, and a stray worker is reached through the group.
 */
function spawnGroup(binary: string, args: string[], env: Record<string, string>, launchNow = true): GroupProcess {
  let child: ChildProcess | undefined;
  let output = '';
  let exited: Promise<number | null> = Promise.resolve(null);
  let exitCode: number | null | undefined;
  const launch = () => {
    const started = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = started;
    running.add(started);
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.once('error', (error) => (output += `${binary}: ${error.message}\n`));
    exited = new Promise((resolve) => started.once('close', (code) => resolve(code)));
    void exited.then((code) => {
      exitCode = code;
      running.delete(started);
    });
  };
  if (launchNow) launch();
  return {
    launch,
    pid: () => child?.pid ?? 0,
    output: () => output,
    async until(ready, timeoutMs, name) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitCode !== undefined) throw new Error(`${name} exited with code ${exitCode}`);
        if (await ready()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`${name} not ready after ${timeoutMs} ms`);
    },
    async stop() {
      if (!child || exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child && killGroup(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      // At production size the door starts every child with all its threads (6,000 in all): a stopped
      // Apache's children must be gone before the next starts, or the two together run out of process ids
      // (kernel.pid_max).
      const gone = Date.now() + 10_000;
      while (groupAlive(child) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 50));
      killGroup(child, 'SIGKILL');
    },
  };
}

interface ServerDirs {
  run: string;
  logs: string;
  data: string;
  sessions: string;
}

async function makeServerDirs(serverRoot: string): Promise<ServerDirs> {
  const dirs = {
    run: join(serverRoot, 'run'),
    logs: join(serverRoot, 'logs'),
    data: join(serverRoot, 'data'),
    sessions: join(serverRoot, 'sessions'),
  };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  if (isRoot()) {
    // Workers run as www-data: they must reach the temp dir and own PHP's SQLite and session dirs.
    chmodSync(serverRoot, 0o755);
    const { uid, gid } = await workerIds();
    for (const dir of [dirs.data, dirs.sessions]) {
      chownSync(dir, uid, gid);
      chmodSync(dir, 0o700);
    }
  }
  return dirs;
}

/**
 * The repo's php-legacy/public, or a copy inside the temp dir when the checkout is not readable by the
 * worker account (e.g. a clone under /root).
 */
function portalRootFor(serverRoot: string): string {
  const original = join(PHP_LEGACY_DIR, 'public');
  if (!isRoot() || readableByOthers(PHP_LEGACY_DIR)) return original;
  const copy = join(serverRoot, 'php-legacy');
  cpSync(PHP_LEGACY_DIR, copy, { recursive: true, filter: (source) => !source.includes(`${PHP_LEGACY_DIR}/data`) });
  return join(copy, 'public');
}

function readableByOthers(path: string): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o005) !== 0o005) return false;
    if (dirname(dir) === dir) return true;
  }
}

function phpEnvironment(options: ApacheOptions, dirs: ServerDirs): Record<string, string> {
  const settings: Record<string, string | undefined> = {
    JWT_SECRET: options.jwtSecret ?? randomBytes(32).toString('hex'),
    JWT_ISSUER: options.jwtIssuer ?? 'asistencia-portal',
    JWT_AUDIENCE: options.jwtAudience ?? 'asistencia',
    INTERNAL_API_TOKEN: options.internalApiToken ?? randomBytes(32).toString('hex'),
    NODE_INTERNAL_URL: options.nodeInternalUrl ?? 'http://127.0.0.1:3000',
    PORTAL_DB_PATH: join(dirs.data, 'portal.sqlite'),
    PORTAL_SESSION_DIR: dirs.sessions,
    ...options.env,
  };
  return Object.fromEntries(
    Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

interface ConfInput {
  serverRoot: string;
  dirs: ServerDirs;
  ports: { http: number; https: number; internal: number };
  tls: { cert: string; key: string };
  portalRoot: string;
  fpmSocket: string;
  node: string;
  moreNodes: string[];
  bodyLimitBytes: number;
  justificationBodyLimitBytes: number | undefined;
  mpm: 'production' | 'test';
  defines: Record<string, string | true>;
}

/**
 * The event MPM at test size: 2 children x 32 threads, all started at boot and never stopped (as the
 * production file does, so tunnels and keep-alive connections spread the same way). 64 threads carry the
 * tests' handful of sockets and their bursts of a few dozen requests.
 */
const TEST_SIZE_MPM = `ThreadLimit 32
ThreadsPerChild 32
ServerLimit 2
MaxRequestWorkers 64
StartServers 2
MinSpareThreads 32
MaxSpareThreads 64
MaxConnectionsPerChild 0
AsyncRequestWorkerFactor 2
ThreadStackSize 262144
`;

function mpmConf(mpm: 'production' | 'test'): string {
  return mpm === 'production' ? `Include "${join(APACHE_CONFIG_DIR, 'mpm-event.conf')}"\n` : TEST_SIZE_MPM;
}

function httpdConf({ serverRoot, dirs, ports, tls, portalRoot, fpmSocket, node, moreNodes, bodyLimitBytes, justificationBodyLimitBytes, mpm, defines }: ConfInput): string {
  const user = isRoot() ? `User ${WORKER_ACCOUNT}\nGroup ${WORKER_ACCOUNT}\n` : '';
  // apache-config/asistencia.conf names three members at most.
  if (moreNodes.length > 2) throw new Error(`the balancer takes at most 3 members, got ${moreNodes.length + 1}`);
  const members = moreNodes.map((member, i) => `Define ASISTENCIA_NODE_${i + 2} ${member}\n`).join('');
  return `# Generated by node-service/test/support/apache.ts
ServerRoot "${serverRoot}"
ServerName localhost
DefaultRuntimeDir "${dirs.run}"
PidFile "${join(dirs.run, 'apache2.pid')}"
ErrorLog "${join(dirs.logs, 'error.log')}"
LogLevel warn
Include "${MODULES_CONF}"
${user}${mpmConf(mpm)}
Define ASISTENCIA_LISTEN_ADDRESS 127.0.0.1
Define ASISTENCIA_HTTP_PORT ${ports.http}
Define ASISTENCIA_HTTPS_PORT ${ports.https}
Define ASISTENCIA_INTERNAL_PORT ${ports.internal}
Define ASISTENCIA_NODE ${node}
${members}Define ASISTENCIA_BODY_LIMIT_BYTES ${bodyLimitBytes}
${justificationBodyLimitBytes === undefined ? '' : `Define ASISTENCIA_JUSTIFICATION_BODY_LIMIT_BYTES ${justificationBodyLimitBytes}`}
Define PORTAL_ROOT "${portalRoot}"
Define PHP_FPM_SOCKET "${fpmSocket}"
Define TLS_CERT "${tls.cert}"
Define TLS_KEY "${tls.key}"
Define ASISTENCIA_ACCESS_LOG "${join(dirs.logs, 'access.log')}"
${Object.entries(defines).map(([name, value]) => (value === true ? `Define ${name}\n` : `Define ${name} ${value}\n`)).join('')}Include "${join(APACHE_CONFIG_DIR, 'asistencia.conf')}"
`;
}

/**
 * php-fpm as in the php container (php-legacy/container/php-fpm.conf: the same pool), on a unix socket
 * in the temp dir that only Apache's workers may open. As root, the master stays root and the workers
 * are www-data, like Apache's; otherwise everything runs as the current user.
 */
function phpFpmConf(dirs: ServerDirs, fpmSocket: string): string {
  const account = isRoot()
    ? `user = ${WORKER_ACCOUNT}\ngroup = ${WORKER_ACCOUNT}\nlisten.owner = ${WORKER_ACCOUNT}\nlisten.group = ${WORKER_ACCOUNT}\n`
    : '';
  return `; Generated by node-service/test/support/apache.ts
[global]
pid = ${join(dirs.run, 'php-fpm.pid')}
error_log = ${join(dirs.logs, 'php-fpm.log')}
log_limit = 8192
daemonize = no

[www]
${account}listen = ${fpmSocket}
listen.mode = 0600
pm = dynamic
pm.max_children = 16
pm.start_servers = 3
pm.min_spare_servers = 2
pm.max_spare_servers = 6
pm.max_requests = 1000
clear_env = no
catch_workers_output = yes
decorate_workers_output = no
php_admin_flag[log_errors] = on
php_admin_flag[display_errors] = off
security.limit_extensions = .php
`;
}

async function selfSignedCertificate(serverRoot: string): Promise<{ cert: string; key: string }> {
  const cert = join(serverRoot, 'tls-cert.pem');
  const key = join(serverRoot, 'tls-key.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-keyout', key, '-out', cert,
  ]);
  return { cert, key };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `count` distinct free ports of 127.0.0.1 (see freePort). */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}

const PORT_BASE = 20_000;
const PORT_SLICE = 1_500;
const PORT_SLICES = 8; // 20000-31999: below the ephemeral range
const portSlice = PORT_BASE + (Number(process.env['VITEST_POOL_ID'] ?? 0) % PORT_SLICES) * PORT_SLICE;
let portCursor = Math.floor(Math.random() * PORT_SLICE);

/**
 * A free port of 127.0.0.1, for a server a test starts. Taken below Linux's ephemeral range
 * (32768-60999 by default): a port the kernel hands out there, as `listen(0)` did here, can be taken by any
 * process's next outgoing connection or `listen(0)` before the server binds it, and four files at a time
 * make thousands (seen: Apache's "Address already in use" on a port found free a moment before). Each
 * vitest worker picks from a slice of its own (VITEST_POOL_ID; 0 for the main process and scripts), so two
 * workers never pick the same port (with more than eight workers, slices are shared and only the check
 * below tells them apart), and a port is checked free before it is handed out; the cursor moves on, so
 * ports asked for one after another are distinct.
 */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < PORT_SLICE; tried++) {
    const port = portSlice + (portCursor++ % PORT_SLICE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port of 127.0.0.1 in ${portSlice}-${portSlice + PORT_SLICE - 1}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function workerIds(): Promise<{ uid: number; gid: number }> {
  const run = promisify(execFile);
  const uid = Number((await run('id', ['-u', WORKER_ACCOUNT])).stdout.trim());
  const gid = Number((await run('id', ['-g', WORKER_ACCOUNT])).stdout.trim());
  return { uid, gid };
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

// ---------------------------------------------------------------------------------------------------
// A small HTTP client: plain node:http/https, so HTTPS tests can accept the self-signed certificate and
// every header (Cookie, Sec-Fetch-Site, Host) is sent exactly as given.
// ---------------------------------------------------------------------------------------------------

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  setCookies: string[];
  body: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** A keep-alive pool (the benchmark's load clients); none by default: a connection per request. */
  agent?: Agent;
  timeoutMs?: number;
}

export function request(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = { ...options.headers };
  const agent = options.agent ?? false;
  if (options.body !== undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: options.method ?? 'GET', headers, agent, rejectUnauthorized: false, timeout: options.timeoutMs ?? 20_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            setCookies: res.headers['set-cookie'] ?? [],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`request to ${url} timed out`), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Cookies as a browser would keep them for one site (name → value); expired ones are dropped. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (value === '' || value === 'deleted' || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export function csrfTokenIn(html: string): string {
  const match = /name="csrf_token" value="([0-9a-f]+)"/.exec(html);
  if (!match?.[1]) throw new Error(`no CSRF token in the page:\n${html.slice(0, 2000)}`);
  return match[1];
}

/** The message the portal shows in its error box, if any. */
export function pageError(html: string): string | undefined {
  return /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/**
 * Signs in to the portal the way a browser does (GET the form, keep its cookie and CSRF token, POST)
 * and returns the Cookie header of the signed-in session.
 */
export async function portalLogin(baseUrl: string, username: string, password: string): Promise<string> {
  const jar = new CookieJar();
  const form = await request(`${baseUrl}/login.php`);
  jar.store(form.setCookies);
  const answer = await request(`${baseUrl}/login.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: formBody({ csrf_token: csrfTokenIn(form.body), username, password, next: '/' }),
  });
  if (answer.status !== 303) {
    throw new Error(`portal login of ${username} failed: HTTP ${answer.status} ${pageError(answer.body) ?? ''}`);
  }
  jar.store(answer.setCookies);
  return jar.header();
}

export interface PortalToken {
  token: string;
  expiresAt: number;
}

/** GET /token.php as the Asistencia pages do (same origin, with the portal session cookie). */
export async function fetchPortalToken(baseUrl: string, cookie: string): Promise<PortalToken> {
  const answer = await request(`${baseUrl}/token.php`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
  if (answer.status !== 200) throw new Error(`token.php answered HTTP ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body) as PortalToken;
}
