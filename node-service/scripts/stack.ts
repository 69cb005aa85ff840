/**
 * `npm run stack`: the whole product on this machine, without containers, for a person to try.
 *
 *   Apache (event MPM) http://localhost:9500/   https://localhost:9505/ (self-signed)
 *     ├── the PHP portal through php-fpm: sign-in, home page, /token.php (the issuer of portal JWTs)
 *     └── /asistencia/, /asistencia/ws, /minodo-api/  →  node-service on 127.0.0.1:9503
 *
 * node-service runs as its own process (`node --import tsx src/main.ts`), on this machine's PostgreSQL and
 * Valkey when DATABASE_URL / VALKEY_URL are set and on the embedded stores otherwise. JWT_SECRET (or
 * JWT_SECRET_FILE), JWT_ISSUER, JWT_AUDIENCE and INTERNAL_API_TOKEN are honoured; without them a secret and
 * a credential are made for this run and given to both sides, so the portal issues the tokens (the
 * service's development sign-in stays off). Every other setting in the environment reaches node-service
 * as it is; the portal's own settings (JWT_TTL_SECONDS, LOGIN_*, PORTAL_SESSION_IDLE_SECONDS) reach PHP.
 *
 * Apache and php-fpm are started by the same harness as the integration tests (test/support/apache.ts),
 * shaped as the php container: a generated httpd.conf around apache-config/mpm-event.conf and
 * asistencia.conf, php-fpm on a unix socket, in a temporary ServerRoot with the portal's SQLite file. The
 * door refuses bodies over node-service's BODY_LIMIT_BYTES, and its internal surfaces (/asistencia/docs,
 * /metrics, /ready, /internal/) from outside, as in production: they answer on node-service directly.
 * Ctrl-C (or SIGTERM) stops Apache and php-fpm, then node-service, and removes the temporary files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/env.js';
import { freePort, PHP_LEGACY_DIR, startApache, type RunningApache } from '../test/support/apache.js';

const SERVICE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const PORTS = { http: 9500, node: 9503, https: 9505 } as const;
const NODE_URL = `http://127.0.0.1:${PORTS.node}`;
const READY_TIMEOUT_MS = 60_000;
/** The portal's settings that are not about tokens, passed to PHP when set. */
const PORTAL_SETTINGS = [
  'JWT_TTL_SECONDS',
  'PORTAL_SESSION_IDLE_SECONDS',
  'LOGIN_MAX_FAILURES',
  'LOGIN_MAX_USER_FAILURES',
  'LOGIN_MAX_ADDRESS_FAILURES',
  'LOGIN_WINDOW_SECONDS',
  'LOGIN_LOCKOUT_SECONDS',
] as const;

const out = (text = '') => process.stdout.write(`${text}\n`);

/** A refusal to start that the person can act on: printed as it is, without a stack trace. */
class StackError extends Error {}

interface Settings {
  jwtSecret: string;
  jwtSecretGiven: boolean;
  jwtIssuer: string;
  jwtAudience: string;
  internalApiToken: string;
  webDir: string;
  /** node-service's BODY_LIMIT_BYTES, given to Apache too. */
  bodyLimitBytes: number;
  /** The justification route's body limit, from node-service's JUSTIFICATION_MAX_BYTES, given to Apache too. */
  justificationBodyLimitBytes: number;
}

function readSettings(env: NodeJS.ProcessEnv): Settings {
  const jwtSecret = secretFrom(env, 'JWT_SECRET');
  return {
    jwtSecret: jwtSecret ?? randomBytes(32).toString('hex'),
    jwtSecretGiven: jwtSecret !== undefined,
    jwtIssuer: env.JWT_ISSUER?.trim() || 'asistencia-portal',
    jwtAudience: env.JWT_AUDIENCE?.trim() || 'asistencia',
    internalApiToken: secretFrom(env, 'INTERNAL_API_TOKEN') ?? randomBytes(32).toString('hex'),
    webDir: env.WEB_DIR?.trim() || join(SERVICE_ROOT, 'dist', 'web'),
    bodyLimitBytes: loadConfig({ BODY_LIMIT_BYTES: env.BODY_LIMIT_BYTES }).limits.bodyBytes,
    justificationBodyLimitBytes: loadConfig({ JUSTIFICATION_MAX_BYTES: env.JUSTIFICATION_MAX_BYTES }).justifications.bodyLimitBytes,
  };
}

/** `NAME`, or the contents of the file `NAME_FILE` names (its trailing newline trimmed), as the service reads them. */
function secretFrom(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  if (value) return value;
  const file = env[`${name}_FILE`]?.trim();
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw new StackError(`${name}_FILE: cannot read "${file}"`);
  }
}

async function assertPortsFree(): Promise<void> {
  for (const port of Object.values(PORTS)) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free) throw new StackError(`port ${port} is already in use (another stack still running? see: ss -ltnp 'sport = :${port}')`);
  }
}

/** The pages are served from the Vite build; build them once when there is none. */
async function ensurePages(settings: Settings, env: NodeJS.ProcessEnv): Promise<void> {
  if (existsSync(join(settings.webDir, 'index.html'))) return;
  if (env.WEB_DIR?.trim()) throw new StackError(`WEB_DIR=${settings.webDir} holds no built pages (index.html)`);
  out('The pages are not built yet: npx vite build');
  const build = spawn('npx', ['vite', 'build'], { cwd: SERVICE_ROOT, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve, reject) => {
    build.once('error', reject);
    build.once('exit', resolve);
  });
  if (code !== 0) throw new StackError(`building the pages failed (npx vite build exited with ${code})`);
}

interface NodeProcess {
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

function spawnNode(settings: Settings, env: NodeJS.ProcessEnv, internalPort: number, logDir: string): NodeProcess {
  const logFile = join(logDir, 'node-service.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVICE_ROOT,
    env: {
      ...env,
      HOST: '127.0.0.1',
      PORT: String(PORTS.node),
      PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${PORTS.http}`,
      WEBAUTHN_ORIGINS: env.WEBAUTHN_ORIGINS ?? `https://localhost:${PORTS.https}`,
      TRUST_PROXY: env.TRUST_PROXY ?? '127.0.0.1,::1',
      LOG_LEVEL: env.LOG_LEVEL ?? 'info',
      JWT_SECRET: settings.jwtSecret,
      JWT_ISSUER: settings.jwtIssuer,
      JWT_AUDIENCE: settings.jwtAudience,
      INTERNAL_API_TOKEN: settings.internalApiToken,
      PORTAL_INTERNAL_URL: `http://127.0.0.1:${internalPort}`,
    },
    stdio: ['ignore', log, log],
    // Its own process group: Ctrl-C reaches this script alone, which stops Apache first, then the service.
    detached: true,
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, logFile, exited };
}

async function waitUntilReady(node: NodeProcess): Promise<void> {
  let exitCode: number | null | undefined;
  void node.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new StackError(`node-service exited with code ${exitCode} while starting:\n${tail(node.logFile)}`);
    try {
      if ((await fetch(`${NODE_URL}/asistencia/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new StackError(`node-service was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${tail(node.logFile)}`);
}

function tail(file: string, lines = 20): string {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function stopNode(node: NodeProcess): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill('SIGTERM');
  const timer = setTimeout(() => node.child.kill('SIGKILL'), 10_000);
  await node.exited;
  clearTimeout(timer);
}

function portalSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(PORTAL_SETTINGS.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
}

interface DemoUser {
  username: string;
  name: string;
  role: string;
}

function printBanner(settings: Settings, env: NodeJS.ProcessEnv, node: NodeProcess, apache: RunningApache): void {
  const seed = JSON.parse(readFileSync(join(PHP_LEGACY_DIR, 'seed.json'), 'utf8')) as { demoPassword: string; users: DemoUser[] };
  const database = env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${env.DATA_DIR ?? join(SERVICE_ROOT, '.data')}`;
  const keyValue = env.VALKEY_URL ? 'Valkey (VALKEY_URL)' : 'in-process store (one instance)';
  const secret = settings.jwtSecretGiven ? 'the configured JWT_SECRET' : 'a secret made for this run';
  out();
  out('Asistencia is running. Ctrl-C stops everything.');
  out();
  out(`  Portal: sign in here      http://localhost:${PORTS.http}/`);
  out(`                            https://localhost:${PORTS.https}/  (self-signed certificate)`);
  out(`  Asistencia pages          http://localhost:${PORTS.http}/asistencia/`);
  out(`  node-service, direct      ${NODE_URL}/asistencia/  (normally reached through Apache)`);
  out(`  API documentation         ${NODE_URL}/asistencia/docs  (internal: Apache refuses it)`);
  out();
  out(`  Tokens     issued by the portal (/token.php), HS256 with ${secret}, iss=${settings.jwtIssuer} aud=${settings.jwtAudience}`);
  out(`  Database   ${database}`);
  out(`  Key-value  ${keyValue}`);
  out(`  Logs       node-service: ${node.logFile}`);
  out(`             Apache and php-fpm: ${join(apache.serverRoot, 'logs')}/`);
  out();
  out(`  Demo accounts (password ${seed.demoPassword}); the portal's home page links to the pages of each role:`);
  for (const user of seed.users) out(`    ${user.username.padEnd(18)} ${user.role.padEnd(8)} ${user.name}`);
  out();
}

async function main(): Promise<void> {
  const env = process.env;
  const settings = readSettings(env);
  await assertPortsFree();
  await ensurePages(settings, env);

  const logDir = mkdtempSync(join(tmpdir(), 'asistencia-stack-'));
  const internalPort = await freePort();
  let apache: RunningApache | undefined;
  let stopping: Promise<void> | undefined;
  let keepLogs = false;

  out(`Starting node-service on ${NODE_URL} …`);
  const node = spawnNode(settings, env, internalPort, logDir);
  // Whatever happens to this script, the service does not outlive it.
  process.once('exit', () => {
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  });

  const stop = (reason: string, code: number): Promise<void> => {
    stopping ??= (async () => {
      out(`\nStopping (${reason}) …`);
      await apache?.stop();
      await stopNode(node);
      if (keepLogs) out(`node-service's log is kept in ${node.logFile}`);
      else rmSync(logDir, { recursive: true, force: true });
      out('Stopped: Apache, php-fpm and node-service are no longer running.');
      process.exit(code);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal, 0));

  try {
    await waitUntilReady(node);
    out(`Starting Apache with the portal on ${PORTS.http} and ${PORTS.https} …`);
    apache = await startApache({
      httpPort: PORTS.http,
      httpsPort: PORTS.https,
      mpm: 'production',
      internalPort,
      node: `127.0.0.1:${PORTS.node}`,
      nodeInternalUrl: NODE_URL,
      jwtSecret: settings.jwtSecret,
      jwtIssuer: settings.jwtIssuer,
      jwtAudience: settings.jwtAudience,
      internalApiToken: settings.internalApiToken,
      bodyLimitBytes: settings.bodyLimitBytes,
      justificationBodyLimitBytes: settings.justificationBodyLimitBytes,
      env: portalSettings(env),
    });
  } catch (error) {
    keepLogs = true;
    console.error(error instanceof StackError ? error.message : error);
    await stop('start-up failed', 1);
    return;
  }
  if (stopping) return;
  printBanner(settings, env, node, apache);

  void node.exited.then((code) => {
    if (stopping) return;
    keepLogs = true;
    console.error(`node-service stopped by itself (exit code ${code}):\n${tail(node.logFile)}`);
    void stop('node-service stopped', 1);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof StackError ? error.message : error);
  process.exit(1);
});
