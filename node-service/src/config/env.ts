import { readFileSync } from 'node:fs';
import { randomBytes, X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { basePathProblem, DEFAULT_BASE_PATH } from '../shared/base-path.js';
import { isTimeZone } from '../shared/local-time.js';
import { networkSchema } from '../shared/networks.js';
import { percentProblem } from '../shared/percent.js';

/**
 * The only reader of process.env. Every setting is named here with its default; a bad one stops start-up
 * with a single line naming it. Secrets may come from a file instead (`NAME_FILE`), as podman secrets do.
 *
 * Adding a setting: one line in `settings` (name, bounds, default), one line where `toConfig` puts it, and
 * a rule in `crossChecks` if it must agree with another. The type the service sees (`Config`) is inferred.
 * Inside the service every duration is in milliseconds; seconds, minutes, hours and days exist only here,
 * at the edge, in the setting's name.
 */

const SECRET_NAMES = ['JWT_SECRET', 'DATABASE_URL', 'DATABASE_REPLICA_URL', 'VALKEY_URL', 'VALKEY_SENTINEL_PASSWORD', 'INTERNAL_API_TOKEN', 'SMTP_URL', 'SMTP_PASSWORD'] as const;

const defaultMigrationsDir = fileURLToPath(new URL('../../../database/migrations', import.meta.url));
const defaultFunctionsDir = fileURLToPath(new URL('../../../database/functions', import.meta.url));
const defaultDataDir = fileURLToPath(new URL('../../.data', import.meta.url));
const defaultWebDir = fileURLToPath(new URL('../../dist/web', import.meta.url));

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number between ${min} and ${max}` })
    .int({ error: `expected a whole number between ${min} and ${max}` })
    .min(min, { error: `expected a whole number between ${min} and ${max}` })
    .max(max, { error: `expected a whole number between ${min} and ${max}` });

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const url = (protocols: readonly string[]) =>
  optionalText.refine((value) => value === undefined || hasProtocol(value, protocols), {
    error: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  });

function hasProtocol(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean));

/**
 * Every setting, as the environment names it: its type, bounds and default. The unit of a duration is in its
 * name (`_MS`, `_SECONDS`, `_MINUTES`, `_HOURS`, `_DAYS`); `toConfig` turns each into milliseconds.
 */
const settings = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: int(1, 65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Unset: `json` when NODE_ENV=production (log collectors), `pretty` otherwise (people reading a terminal).
  LOG_FORMAT: optionalText.pipe(z.enum(['pretty', 'json']).optional()),
  PUBLIC_URL: url(['http:', 'https:']),
  BASE_PATH: z
    .string()
    .trim()
    .default(DEFAULT_BASE_PATH)
    .superRefine((value, context) => {
      const problem = basePathProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATABASE_POOL_SIZE: int(1, 100).default(10),
  // High availability: a read-only streaming standby for the reads that may be seconds stale (reports,
  // exports, standings, the student's history; docs/operations.md). Unset: every read goes to the primary.
  DATABASE_REPLICA_URL: url(['postgres:', 'postgresql:']),
  DATABASE_REPLICA_MAX_LAG_SECONDS: int(1, 3600).default(5),
  DATABASE_REPLICA_PROBE_MS: int(100, 600_000).default(1000),
  DATA_DIR: z.string().trim().min(1).default(defaultDataDir),
  MIGRATIONS_DIR: z.string().trim().min(1).default(defaultMigrationsDir),
  FUNCTIONS_DIR: z.string().trim().min(1).default(defaultFunctionsDir),
  WEB_DIR: z.string().trim().min(1).default(defaultWebDir),
  VALKEY_URL: url(['redis:', 'rediss:', 'valkey:']),
  VALKEY_KEY_PREFIX: z.string().trim().min(1).max(64).default('asistencia:'),
  // High availability: the sentinels that know the primary (host:port, comma-separated) and the name they
  // watch it under. Set, they replace VALKEY_URL's host and port; VALKEY_URL then gives the password alone.
  VALKEY_SENTINELS: csv('').pipe(z.array(z.string().transform(sentinelAddress))),
  VALKEY_SENTINEL_MASTER: optionalText.pipe(z.string().max(128).regex(/^[\w.-]+$/, { error: 'expected a name of letters, digits, ".", "_" or "-"' }).optional()),
  VALKEY_SENTINEL_PASSWORD: optionalText,
  JWT_SECRET: optionalText.refine((value) => value === undefined || Buffer.byteLength(value) >= 32, {
    error: 'must be at least 32 bytes long',
  }),
  JWT_ISSUER: z.string().trim().min(1).default('asistencia-portal'),
  JWT_AUDIENCE: z.string().trim().min(1).default('asistencia'),
  JWT_CLOCK_TOLERANCE_SECONDS: int(0, 30).default(30),
  JWT_MAX_AGE_SECONDS: int(60, 3600).default(900),
  TRUST_PROXY: csv('127.0.0.1,::1'),
  PORTAL_LOGIN_URL: z.string().trim().min(1).default('/login.php'),
  PORTAL_TOKEN_URL: z.string().trim().min(1).default('/token.php'),
  PORTAL_LOGOUT_URL: z.string().trim().min(1).default('/logout.php'),
  PORTAL_INTERNAL_URL: url(['http:', 'https:']),
  COURSE_STAFF_STALE_MINUTES: int(0, 24 * 60).default(240),
  COURSE_STAFF_REMEMBERED: int(1, 1_000_000).default(10_000),
  INTERNAL_API_TOKEN: optionalText.refine((value) => value === undefined || Buffer.byteLength(value) >= 32, {
    error: 'must be at least 32 bytes long (the portal requires the same)',
  }),
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  RATE_LIMIT_USER_PER_MINUTE: int(1, 100_000).default(300),
  RATE_LIMIT_PUBLIC_PER_MINUTE: int(1, 100_000).default(60),
  WS_AUTH_TIMEOUT_MS: int(100, 60_000).default(5000),
  WS_MAX_MESSAGE_BYTES: int(256, 1024 * 1024).default(4096),
  WS_MAX_PER_USER: int(1, 100_000).default(8),
  WS_MAX_PER_ADDRESS: int(1, 100_000).default(200),
  SHUTDOWN_TIMEOUT_MS: int(100, 60_000).default(4000),
  REQUEST_DEADLINE_MS: int(100, 120_000).default(5000),
  DATABASE_CONNECTION_TIMEOUT_MS: int(100, 120_000).default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(4000),
  DATABASE_MAX_WAITING: int(1, 100_000).default(1000),
  DATABASE_REFUSAL_HOLD_MS: int(100, 600_000).default(10_000),
  CLOCK_MAX_OFFSET_MS: int(1, 3_600_000).default(250),
  CLOCK_REFRESH_MS: int(100, 3_600_000).default(10_000),
  VALKEY_MAX_LATENCY_MS: int(1, 60_000).default(250),
  VALKEY_LATENCY_PROBE_MS: int(100, 3_600_000).default(1000),
  DEV_SESSION_HOURS: int(1, 24).default(8),
  WEBAUTHN_RP_NAME: z.string().trim().min(1).max(64).default('Asistencia'),
  WEBAUTHN_ORIGINS: csv('').refine((origins) => origins.every((o) => hasProtocol(o, ['http:', 'https:']) && new URL(o).origin === o), {
    error: 'expected origins like https://host[:port], separated by commas',
  }),
  // Replaced by ENROLLMENT_ATTESTATION, whose 'prefer' and 'require' also verify what 'direct' only asked for:
  // a deployment that still sets it is told so at start-up rather than silently getting another policy.
  WEBAUTHN_ATTESTATION: z
    .undefined({ error: 'replaced by ENROLLMENT_ATTESTATION (none, prefer or require; what was direct is now prefer): remove it and set that instead' })
    .optional(),
  ENROLLMENT_ATTESTATION: z.enum(['none', 'prefer', 'require']).default('none'),
  ENROLLMENT_ATTESTATION_ROOTS_FILE: optionalText.transform((file, context) => (file === undefined ? [] : attestationRoots(file, context))),
  ENROLLMENT_CHALLENGE_TTL_SECONDS: int(1, 3600).default(300),
  ENROLLMENT_MAX_DEVICES: int(1, 20).default(1),
  ENROLLMENT_COOLDOWN_MINUTES: csv('0,30,360,1440')
    .refine((steps) => steps.every((step) => /^\d{1,6}$/.test(step)), { error: 'expected whole minutes separated by commas, e.g. 0,30,360,1440' })
    .transform((steps) => steps.map(Number)),
  ENROLLMENT_AAGUID_ALLOWLIST: csv('')
    .refine((ids) => ids.every((id) => /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id)), { error: 'expected AAGUIDs (UUIDs) separated by commas' })
    .transform((ids) => (ids.length === 0 ? undefined : ids.map((id) => id.toLowerCase()))),
  ENROLLMENT_SHARED_PHONE: z.enum(['refuse', 'flag']).default('refuse'),
  ENROLLMENT_SYNCED_PASSKEYS: z.enum(['allow', 'flag', 'refuse']).default('allow'),
  ENROLLMENT_REBIND_COOLDOWN_HOURS: int(0, 30 * 24).default(24),
  // Replaced by ENROLLMENT_REBIND_COOLDOWN_HOURS (whose default is no longer 0): a deployment that still sets
  // it is told so at start-up rather than silently getting a different wait.
  ENROLLMENT_REBIND_COOLDOWN_MINUTES: z.undefined({ error: 'replaced by ENROLLMENT_REBIND_COOLDOWN_HOURS (default 24): remove it and set that instead' }).optional(),
  ENROLLMENT_REBINDS_BEFORE_FLAG: int(0, 100).default(3),
  ENROLLMENT_CHANGE_NOTICE_DAYS: int(1, 90).default(7),
  ADMIN_SEARCH_MAX_RESULTS: int(1, 100).default(20),
  PROJECTION_LOSS_CHECK_MS: int(100, 10_000).default(500),
  SESSION_MIN_PERIOD_MS: int(1000, 60_000).default(1000),
  SESSION_MAX_PERIOD_MS: int(1000, 60_000).default(30_000),
  SESSION_DEFAULT_PERIOD_MS: int(500, 60_000).default(3000),
  SESSION_DEFAULT_LATE_MINUTES: int(0, 600).default(15),
  SESSION_LIST_LIMIT: int(1, 1000).default(100),
  SESSION_LIST_PAGE_SIZE: int(1, 1000).default(20),
  SESSION_SERIES_MAX_OCCURRENCES: int(1, 500).default(40),
  SESSION_IMPORT_MAX_ROWS: int(1, 1000).default(200),
  // Unset: 32 KiB, or half of BODY_LIMIT_BYTES when that is smaller (see importMaxBytes below).
  SESSION_IMPORT_MAX_BYTES: int(100, 1024 * 1024).optional(),
  PROJECTION_MAX_PER_CONNECTION: int(1, 100).default(4),
  LIVE_COUNT_INTERVAL_MS: int(10, 1000).default(200),
  SCAN_CHALLENGE_TTL_SECONDS: int(2, 600).default(20),
  SCAN_SESSION_CACHE_MS: int(0, 10_000).default(1000),
  SCAN_SESSION_CACHE_MAX: int(1, 100_000).default(1000),
  SCAN_BATCH_IN_FLIGHT: int(1, 100).default(2),
  SCAN_BATCH_MAX: int(1, 1000).default(64),
  SCAN_BATCH_MAX_WAITING: int(1, 1_000_000).default(5000),
  FALLBACK_CODE_TTL_SECONDS: int(5, 120).default(20),
  RATE_LIMIT_SCAN_PER_MINUTE: int(1, 1_000_000).default(6000),
  RATE_LIMIT_SCAN_UNKNOWN_PHONE_PER_MINUTE: int(1, 1_000_000).default(300),
  SCAN_REQUESTS_PER_PHONE_PER_MINUTE: int(1, 10_000).default(30),
  FALLBACK_CODE_FAILURES_PER_MINUTE: int(1, 1000).default(10),
  FALLBACK_CODE_FAILURES_PER_ADDRESS_PER_MINUTE: int(1, 100_000).default(100),
  CAMPUS_NETWORKS: csv('').refine((networks) => networks.every((network) => networkSchema.safeParse(network).success), {
    error: 'expected networks in CIDR notation (no host bits), separated by commas, e.g. 10.20.0.0/16,2001:db8:100::/48',
  }),
  SHARING_POLICY: z.enum(['flag', 'refuse']).default('flag'),
  SHARING_WINDOW_SECONDS: int(0, 86_400).default(300),
  SHARING_SIMULTANEOUS_MS: int(0, 60_000).default(2000),
  SHARING_CONFIRMED_FROM_HOURS: int(1, 48).default(12),
  RECEIPTS_SEAL_INTERVAL_MS: int(0, 3_600_000).default(1000),
  RETENTION_CLIENT_ADDRESS_DAYS: int(1, 3650).default(30),
  RETENTION_RECEIPTS_DAYS: int(1, 36500).default(400),
  SMTP_URL: url(['smtp:', 'smtps:']),
  SMTP_PASSWORD: optionalText,
  SMTP_FROM: optionalText.refine((value) => value === undefined || /^[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>$|^[^\s<>@]+@[^\s<>@]+$/.test(value), {
    error: 'expected an address, e.g. asistencia@example.edu or "Asistencia <asistencia@example.edu>"',
  }),
  LTI_STATE_TTL_SECONDS: int(30, 3600).default(600),
  LTI_TOKEN_MAX_AGE_SECONDS: int(30, 3600).default(600),
  LTI_SESSION_MINUTES: int(5, 1440).default(480),
  LTI_PERSON_CLAIM: z.string().trim().min(1).max(300).default('email'),
  LTI_PERSON_FIELD: z.enum(['email', 'username']).default('email'),
  LTI_PLATFORM_TIMEOUT_SECONDS: int(1, 120).default(10),
  LTI_JWKS_CACHE_MINUTES: int(1, 1440).default(10),
  LTI_ROSTER_MAX_MEMBERS: int(1, 100_000).default(3000),
  LTI_GRADE_SYNC_INTERVAL_SECONDS: int(5, 86_400).default(60),
  LTI_GRADE_AFTER_CHANGE_MS: int(0, 600_000).default(2000),
  LTI_GRADE_RETRY_BASE_SECONDS: int(1, 86_400).default(30),
  LTI_GRADE_RETRY_MAX_SECONDS: int(1, 604_800).default(3600),
  LTI_INVITATION_TTL_HOURS: int(1, 720).default(24),
  MAIL_SEND_TIMEOUT_SECONDS: int(1, 600).default(30),
  MAIL_MAX_PER_RUN: int(1, 100_000).default(500),
  MAIL_CHECK_INTERVAL_MINUTES: int(1, 1440).default(15),
  MAIL_WARNINGS_EVERY_MINUTES: int(1, 10_080).default(60),
  MAIL_COURSE_ACTIVE_DAYS: int(8, 366).default(30),
  MAIL_DIGEST_DAY: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']).default('monday'),
  MAIL_DIGEST_HOUR: int(0, 23).default(8),
  TIME_ZONE: z.string().trim().default('America/Santiago').refine(isTimeZone, { error: 'expected an IANA time zone, e.g. America/Santiago' }),
  SPOT_CHECK_MAX_STUDENTS: int(1, 100).default(10),
  ATTENDANCE_WARN_MARGIN: int(0, 50).default(2),
  ATTENDANCE_EARLY_TERM_SESSIONS: int(0, 100).default(5),
  JUSTIFICATION_MAX_BYTES: int(1024, 20 * 1024 * 1024).default(2 * 1024 * 1024),
  JUSTIFICATION_WINDOW_DAYS: int(1, 365).default(14),
  CALENDAR_FEED_MAX_SESSIONS: int(1, 5000).default(500),
  ATTENDANCE_MIN_RATE: z
    .string()
    .trim()
    .default('75')
    .refine((value) => /^\d{1,3}(\.\d+)?$/.test(value), { error: 'expected a percentage from 0 to 100, e.g. 75' })
    .transform(Number)
    .superRefine((value, ctx) => {
      const problem = percentProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
});

type Settings = z.output<typeof settings>;

/**
 * The operator's attestation roots: a PEM bundle, read once at start. Each must be a CA certificate valid now;
 * anything else stops start-up naming the certificate, rather than leaving a format silently unverifiable.
 */
function attestationRoots(file: string, context: z.RefinementCtx): Uint8Array[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    context.addIssue({ code: 'custom', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` });
    return [];
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) context.addIssue({ code: 'custom', message: 'the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)' });
  const now = new Date();
  return blocks.flatMap((block, index) => {
    const problem = (message: string) => {
      context.addIssue({ code: 'custom', message: `certificate ${index + 1} of the file ${message}` });
      return [];
    };
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block);
    } catch {
      return problem('is not a readable X.509 certificate');
    }
    const subject = certificate.subject.replace(/\n/g, ', ');
    if (!certificate.ca) return problem(`is not a CA certificate (${subject})`);
    if (new Date(certificate.validTo) < now) return problem(`expired on ${new Date(certificate.validTo).toISOString()} (${subject})`);
    return [new Uint8Array(certificate.raw)];
  });
}

/** `host:port` (or `[v6]:port`) of one sentinel. */
function sentinelAddress(value: string, context: z.RefinementCtx): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    context.addIssue({ code: 'custom', message: `expected host:port, separated by commas (got ${JSON.stringify(value)})` });
    return z.NEVER;
  }
  return { host: match[1] ?? match[2]!, port };
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Settings that must agree with one another; each broken rule names the setting to change and the others. */
function crossChecks(env: Settings, context: z.RefinementCtx): void {
  const refuse = (name: keyof Settings, message: string) => context.addIssue({ code: 'custom', path: [name], message });
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
    refuse('JWT_SECRET', 'required when NODE_ENV=production (set JWT_SECRET or JWT_SECRET_FILE)');
  }
  if (env.ENROLLMENT_AAGUID_ALLOWLIST && env.ENROLLMENT_ATTESTATION === 'none') {
    refuse(
      'ENROLLMENT_AAGUID_ALLOWLIST',
      'an AAGUID counts only inside a verified attestation, and ENROLLMENT_ATTESTATION=none asks for none: set ENROLLMENT_ATTESTATION=prefer or require',
    );
  }
  if (env.VALKEY_SENTINELS.length > 0 && !env.VALKEY_SENTINEL_MASTER) {
    refuse('VALKEY_SENTINEL_MASTER', 'required when VALKEY_SENTINELS is set (the name the sentinels watch the primary under)');
  }
  if (env.VALKEY_SENTINELS.length === 0 && (env.VALKEY_SENTINEL_MASTER || env.VALKEY_SENTINEL_PASSWORD)) {
    refuse('VALKEY_SENTINELS', 'required when VALKEY_SENTINEL_MASTER or VALKEY_SENTINEL_PASSWORD is set (host:port of each sentinel)');
  }
  if (env.VALKEY_SENTINELS.length > 0 && env.VALKEY_URL?.startsWith('rediss:')) {
    refuse('VALKEY_URL', 'rediss:// (TLS) is not supported with VALKEY_SENTINELS: use redis:// or valkey://');
  }
  if (env.DATABASE_REPLICA_URL && !env.DATABASE_URL) {
    refuse('DATABASE_REPLICA_URL', 'requires DATABASE_URL (a standby of the embedded database cannot exist)');
  }
  if (env.DATABASE_REPLICA_PROBE_MS >= env.DATABASE_REPLICA_MAX_LAG_SECONDS * SECOND_MS) {
    refuse('DATABASE_REPLICA_PROBE_MS', `must be shorter than DATABASE_REPLICA_MAX_LAG_SECONDS (${env.DATABASE_REPLICA_MAX_LAG_SECONDS} s): the lag is known no better than one probe`);
  }
  if (env.SMTP_URL && !env.SMTP_FROM) refuse('SMTP_FROM', 'required when SMTP_URL is set (the sender of the warnings, e.g. asistencia@example.edu)');
  const { SESSION_MIN_PERIOD_MS: min, SESSION_DEFAULT_PERIOD_MS: period, SESSION_MAX_PERIOD_MS: max } = env;
  if (min > max) {
    refuse('SESSION_MIN_PERIOD_MS', `must not exceed SESSION_MAX_PERIOD_MS (${max})`);
  } else if (period < min || period > max) {
    refuse('SESSION_DEFAULT_PERIOD_MS', `must lie between SESSION_MIN_PERIOD_MS (${min}) and SESSION_MAX_PERIOD_MS (${max})`);
  }
  // A timetable travels in a JSON body, its line ends and quotes escaped: up to twice its own size.
  if (env.SESSION_IMPORT_MAX_BYTES !== undefined && env.SESSION_IMPORT_MAX_BYTES * 2 > env.BODY_LIMIT_BYTES) {
    refuse('SESSION_IMPORT_MAX_BYTES', `must not exceed half of BODY_LIMIT_BYTES (${env.BODY_LIMIT_BYTES}): the JSON body carries the CSV escaped`);
  }
}

// The real servers' settings are built apart: an object-literal ternary would blur its two shapes into one
// with optional keys, and `'url' in config.database` would no longer tell them apart.
function postgres(env: Settings, url: string) {
  return {
    url,
    poolSize: env.DATABASE_POOL_SIZE,
    /** Longest wait for a pooled connection (outside a request; inside one, its deadline bounds it too). */
    connectionTimeoutMs: env.DATABASE_CONNECTION_TIMEOUT_MS,
    /** PostgreSQL's statement_timeout for a request's statements (lowered to what its deadline leaves). */
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    /** Queries waiting for a pooled connection at most; past it a request answers 503 at once. */
    maxWaiting: env.DATABASE_MAX_WAITING,
    /**
     * After PostgreSQL refused a write (read-only, disk full), `/ready` says so until a write succeeds, the
     * server is seen writable again, or this long passes with no new refusal.
     */
    refusalHoldMs: env.DATABASE_REFUSAL_HOLD_MS,
    /**
     * The standby the reads that may be seconds stale go to (shared/storage/replica-reads.ts), while it is
     * no further behind the primary than maxLagMs; measured every probeMs. Undefined: the primary serves all.
     */
    replica: env.DATABASE_REPLICA_URL
      ? { url: env.DATABASE_REPLICA_URL, maxLagMs: env.DATABASE_REPLICA_MAX_LAG_SECONDS * SECOND_MS, probeMs: env.DATABASE_REPLICA_PROBE_MS }
      : undefined,
  };
}

function valkey(env: Settings, url: string) {
  return { url, keyPrefix: env.VALKEY_KEY_PREFIX };
}

function valkeyBehindSentinels(env: Settings, master: string) {
  return {
    /** Only its user, password and database number count: the sentinels say where the primary is. */
    url: env.VALKEY_URL,
    keyPrefix: env.VALKEY_KEY_PREFIX,
    sentinel: { addresses: env.VALKEY_SENTINELS, master, password: env.VALKEY_SENTINEL_PASSWORD },
  };
}

function valkeySettings(env: Settings) {
  if (env.VALKEY_SENTINELS.length > 0 && env.VALKEY_SENTINEL_MASTER) return valkeyBehindSentinels(env, env.VALKEY_SENTINEL_MASTER);
  return env.VALKEY_URL ? valkey(env, env.VALKEY_URL) : { keyPrefix: env.VALKEY_KEY_PREFIX };
}

/** The settings as the service reads them: grouped by who uses them, every duration in milliseconds. */
function toConfig(env: Settings) {
  const publicUrl = new URL(env.PUBLIC_URL ?? `http://localhost:${env.PORT}`);
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    /** `pretty`: one readable line per event and per request (pino-pretty); `json`: pino's JSON lines. */
    logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
    publicUrl,
    /** Where every route and page hangs (shared/base-path.ts); the door's config must serve the same path. */
    basePath: env.BASE_PATH,
    /** The institution's IANA time zone: exports, file names and pages show its wall-clock time. */
    timeZone: env.TIME_ZONE,
    database: env.DATABASE_URL ? postgres(env, env.DATABASE_URL) : { dataDir: env.DATA_DIR },
    migrationsDir: env.MIGRATIONS_DIR,
    /** The SQL functions re-created after the migrations on every start (shared/storage/migrations.ts). */
    functionsDir: env.FUNCTIONS_DIR,
    webDir: env.WEB_DIR,
    valkey: valkeySettings(env),
    /** Valkey's round trip, probed every probeMs (shared/storage/valkey-latency.ts); /ready is degraded past maxMs. */
    valkeyLatency: { maxMs: env.VALKEY_MAX_LATENCY_MS, probeMs: env.VALKEY_LATENCY_PROBE_MS },
    jwt: {
      secret: env.JWT_SECRET ? new TextEncoder().encode(env.JWT_SECRET) : new Uint8Array(randomBytes(32)),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      clockToleranceMs: env.JWT_CLOCK_TOLERANCE_SECONDS * SECOND_MS,
      maxAgeMs: env.JWT_MAX_AGE_SECONDS * SECOND_MS,
    },
    /** True when no JWT secret was configured: a per-run secret and the development sign-in are used. */
    devSignIn: !env.JWT_SECRET,
    trustProxy: env.TRUST_PROXY,
    portal: {
      loginUrl: env.JWT_SECRET ? env.PORTAL_LOGIN_URL : `${env.BASE_PATH}/dev/`,
      tokenUrl: env.JWT_SECRET ? env.PORTAL_TOKEN_URL : `${env.BASE_PATH}/dev/token`,
      /** Where the pages' "Salir" goes: the portal's sign-out (it ends the portal session and revokes its tokens). */
      logoutUrl: env.JWT_SECRET ? env.PORTAL_LOGOUT_URL : `${env.BASE_PATH}/dev/`,
      internalUrl: env.PORTAL_INTERNAL_URL,
      /** While the portal is down, each person's courses as it last named them, for this long (0: never). */
      staffStaleMs: env.COURSE_STAFF_STALE_MINUTES * 60_000,
      staffRemembered: env.COURSE_STAFF_REMEMBERED,
    },
    internalApiToken: env.INTERNAL_API_TOKEN,
    limits: {
      bodyBytes: env.BODY_LIMIT_BYTES,
      userRequestsPerMinute: env.RATE_LIMIT_USER_PER_MINUTE,
      publicRequestsPerMinute: env.RATE_LIMIT_PUBLIC_PER_MINUTE,
      wsAuthTimeoutMs: env.WS_AUTH_TIMEOUT_MS,
      wsMaxMessageBytes: env.WS_MAX_MESSAGE_BYTES,
      /** Open WebSockets of one user, and of one client address, on one instance. */
      wsMaxPerUser: env.WS_MAX_PER_USER,
      wsMaxPerAddress: env.WS_MAX_PER_ADDRESS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      devSessionMs: env.DEV_SESSION_HOURS * HOUR_MS,
      /** A request that waited this long (from arrival) for PostgreSQL or Valkey answers 503. */
      requestDeadlineMs: env.REQUEST_DEADLINE_MS,
    },
    /** Slot time comes from PostgreSQL's clock (shared/clock.ts); /ready is degraded past maxOffsetMs. */
    clock: { maxOffsetMs: env.CLOCK_MAX_OFFSET_MS, refreshMs: env.CLOCK_REFRESH_MS },
    /** Passkeys: the relying party is the public host; pages may enrol from the public origin or WEBAUTHN_ORIGINS. */
    webauthn: {
      rpName: env.WEBAUTHN_RP_NAME,
      rpId: publicUrl.hostname,
      origins: [...new Set([publicUrl.origin, ...env.WEBAUTHN_ORIGINS])],
    },
    enrollment: {
      challengeTtlMs: env.ENROLLMENT_CHALLENGE_TTL_SECONDS * SECOND_MS,
      maxDevices: env.ENROLLMENT_MAX_DEVICES,
      /** The wait after the latest enrollment, by enrollments since the last admin reset; the last repeats. */
      cooldownMs: env.ENROLLMENT_COOLDOWN_MINUTES.map((minutes) => minutes * MINUTE_MS),
      /** 'none' asks for no attestation; 'prefer' marks verified devices; 'require' enrols only those. */
      attestation: env.ENROLLMENT_ATTESTATION,
      /** The operator's trusted attestation roots (DER), besides the Google and Apple roots SimpleWebAuthn ships. */
      attestationRoots: env.ENROLLMENT_ATTESTATION_ROOTS_FILE,
      /** Lower-case AAGUIDs; undefined accepts any. An AAGUID counts only inside a verified attestation. */
      aaguidAllowlist: env.ENROLLMENT_AAGUID_ALLOWLIST,
      /** A phone key already bound to another student: refused, or accepted with an alert for admins. */
      sharedPhone: env.ENROLLMENT_SHARED_PHONE,
      syncedPasskeys: env.ENROLLMENT_SYNCED_PASSKEYS,
      /** The wait between two re-bindings of one device's phone key. */
      rebindCooldownMs: env.ENROLLMENT_REBIND_COOLDOWN_HOURS * HOUR_MS,
      /** Re-bindings of one device in 30 days (since the student's last admin reset) before the next is refused pending an admin. */
      rebindsBeforeFlag: env.ENROLLMENT_REBINDS_BEFORE_FLAG,
      /** How long a change to a student's devices is announced on "Mi asistencia" and the portal's home. */
      changeNoticeDays: env.ENROLLMENT_CHANGE_NOTICE_DAYS,
      /** An admin's student lookup lists at most this many matches (the portal caps it at 100). */
      adminSearchMaxResults: env.ADMIN_SEARCH_MAX_RESULTS,
    },
    sessions: {
      minPeriodMs: env.SESSION_MIN_PERIOD_MS,
      maxPeriodMs: env.SESSION_MAX_PERIOD_MS,
      defaultPeriodMs: env.SESSION_DEFAULT_PERIOD_MS,
      /** Minutes, not milliseconds: the default of a session's own `lateAfterMinutes` (a column and an API field). */
      defaultLateAfterMinutes: env.SESSION_DEFAULT_LATE_MINUTES,
      /** The most sessions one page of the list may hold. */
      listLimit: env.SESSION_LIST_LIMIT,
      /** A page's size when the request names none (at most listLimit). */
      listPageSize: Math.min(env.SESSION_LIST_PAGE_SIZE, env.SESSION_LIST_LIMIT),
      /** The most classes one weekly series may make. */
      seriesMaxOccurrences: env.SESSION_SERIES_MAX_OCCURRENCES,
      /** The most classes one imported timetable (CSV) may hold. */
      importMaxRows: env.SESSION_IMPORT_MAX_ROWS,
      /** The most bytes one imported timetable may hold (within BODY_LIMIT_BYTES). */
      importMaxBytes: env.SESSION_IMPORT_MAX_BYTES ?? Math.min(32 * 1024, Math.floor(env.BODY_LIMIT_BYTES / 2)),
      maxProjectionsPerConnection: env.PROJECTION_MAX_PER_CONNECTION,
      /** While projecting, how often an instance checks that Valkey kept its data (else codes are re-minted). */
      lossCheckMs: env.PROJECTION_LOSS_CHECK_MS,
      /** Live counts are announced at most once per this interval per session. */
      liveCountIntervalMs: env.LIVE_COUNT_INTERVAL_MS,
      /** A typed fallback code leads to a challenge this long after its slot began (at least its QR code's life). */
      fallbackCodeTtlMs: env.FALLBACK_CODE_TTL_SECONDS * SECOND_MS,
    },
    scan: {
      challengeTtlMs: env.SCAN_CHALLENGE_TTL_SECONDS * SECOND_MS,
      /** Challenge requests per client network per minute that enrolled phones signed. */
      requestsPerMinutePerAddress: env.RATE_LIMIT_SCAN_PER_MINUTE,
      /** Challenge requests per client network per minute that no enrolled phone signed: their own budget. */
      unknownPhoneRequestsPerMinutePerAddress: env.RATE_LIMIT_SCAN_UNKNOWN_PHONE_PER_MINUTE,
      /** A scan's challenge may judge a session read this long ago (0: always read it); refusals are read afresh. */
      sessionCacheMs: env.SCAN_SESSION_CACHE_MS,
      /** The most sessions kept so. */
      sessionCacheMax: env.SCAN_SESSION_CACHE_MAX,
      /**
       * Calls of each kind on the scan's path (the challenge's device lookup, the confirmation) running at
       * once per instance; what arrives while they run goes together, at most `batchMax` in one call.
       */
      batching: { inFlight: env.SCAN_BATCH_IN_FLIGHT, maxBatch: env.SCAN_BATCH_MAX, maxWaiting: env.SCAN_BATCH_MAX_WAITING },
      /** Challenge requests one phone key may make per minute. */
      requestsPerMinutePerPhone: env.SCAN_REQUESTS_PER_PHONE_PER_MINUTE,
      /** Wrong typed fallback codes one phone may send per minute before its typed codes are refused. */
      typedCodeFailuresPerMinute: env.FALLBACK_CODE_FAILURES_PER_MINUTE,
      /** The same for a whole client network: a high ceiling against many phones guessing together. */
      typedCodeFailuresPerMinutePerAddress: env.FALLBACK_CODE_FAILURES_PER_ADDRESS_PER_MINUTE,
      /**
       * One phone, one place, one moment: a device asking from two client networks within `windowMs`, twice
       * within `simultaneousMs`, or confirming a student already confirmed in the round from elsewhere, is
       * alerted; under `policy` 'refuse' that use is refused. 0 turns a window off.
       */
      /** The institution's campus networks: every session's default, unless the session lists its own. */
      campusNetworks: env.CAMPUS_NETWORKS,
      sharing: { policy: env.SHARING_POLICY, windowMs: env.SHARING_WINDOW_SECONDS * SECOND_MS, simultaneousMs: env.SHARING_SIMULTANEOUS_MS, confirmedFromMs: env.SHARING_CONFIRMED_FROM_HOURS * HOUR_MS },
    },
    /** How often receipts are chained (0: only before a verify or an export). */
    receipts: { sealIntervalMs: env.RECEIPTS_SEAL_INTERVAL_MS },
    /** docs/privacy.md: how long client addresses and receipts are kept. */
    retention: { clientAddressMs: env.RETENTION_CLIENT_ADDRESS_DAYS * DAY_MS, receiptsMs: env.RETENTION_RECEIPTS_DAYS * DAY_MS },
    /**
     * Warnings by e-mail (docs/operations.md): off when SMTP_URL is unset. Each instance checks every
     * `checkIntervalMs`; student warnings run at most every `warningsEveryMs`, the teachers' digest once a
     * week after `digestDay` (ISO, 1 = Monday) at `digestHour` in TIME_ZONE; at most `maxPerRun` messages a run.
     */
    /** LTI 1.3 (docs/lms.md): launches from an LMS, its roster (NRPS) and the grades sent back (AGS). */
    lti: {
      /** How long a login initiation waits for its launch (the state cookie's life). */
      stateTtlMs: env.LTI_STATE_TTL_SECONDS * SECOND_MS,
      /** The oldest id_token (by `iat`) a launch accepts. */
      tokenMaxAgeMs: env.LTI_TOKEN_MAX_AGE_SECONDS * SECOND_MS,
      /** How long the sign-in a launch gives lasts in that browser. */
      sessionMs: env.LTI_SESSION_MINUTES * MINUTE_MS,
      /** The claim naming the portal person (`email`, or a dotted path into the id_token) and the portal field it matches. */
      personClaim: env.LTI_PERSON_CLAIM,
      personField: env.LTI_PERSON_FIELD,
      /** The longest wait for a platform's JWKS, token, NRPS or AGS endpoint. */
      platformTimeoutMs: env.LTI_PLATFORM_TIMEOUT_SECONDS * SECOND_MS,
      jwksCacheMs: env.LTI_JWKS_CACHE_MINUTES * MINUTE_MS,
      rosterMaxMembers: env.LTI_ROSTER_MAX_MEMBERS,
      gradeSyncIntervalMs: env.LTI_GRADE_SYNC_INTERVAL_SECONDS * SECOND_MS,
      /** How long after a class closes or attendance is corrected the course's grades are posted (changes in that time go together). */
      gradeAfterChangeMs: env.LTI_GRADE_AFTER_CHANGE_MS,
      gradeRetry: { baseMs: env.LTI_GRADE_RETRY_BASE_SECONDS * SECOND_MS, maxMs: env.LTI_GRADE_RETRY_MAX_SECONDS * SECOND_MS },
      invitationTtlMs: env.LTI_INVITATION_TTL_HOURS * HOUR_MS,
    },
    mail: {
      smtpUrl: env.SMTP_URL,
      smtpPassword: env.SMTP_PASSWORD,
      from: env.SMTP_FROM ?? '',
      sendTimeoutMs: env.MAIL_SEND_TIMEOUT_SECONDS * SECOND_MS,
      maxPerRun: env.MAIL_MAX_PER_RUN,
      checkIntervalMs: env.MAIL_CHECK_INTERVAL_MINUTES * MINUTE_MS,
      warningsEveryMs: env.MAIL_WARNINGS_EVERY_MINUTES * MINUTE_MS,
      courseActiveMs: env.MAIL_COURSE_ACTIVE_DAYS * DAY_MS,
      digestDay: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].indexOf(env.MAIL_DIGEST_DAY) + 1,
      digestHour: env.MAIL_DIGEST_HOUR,
    },
    /** A course's minimum attendance, in percent (0–100), unless its teacher sets another. */
    attendance: {
      minRatePercent: env.ATTENDANCE_MIN_RATE,
      spotCheckMaxStudents: env.SPOT_CHECK_MAX_STUDENTS,
      calendarFeedMaxSessions: env.CALENDAR_FEED_MAX_SESSIONS,
      /** Absences left at which a student who has missed a class is at risk. */
      warnMargin: env.ATTENDANCE_WARN_MARGIN,
      /** Until this many of a student's sessions have counted, their pace is not judged. */
      earlyTermSessions: env.ATTENDANCE_EARLY_TERM_SESSIONS,
    },
    /** A student's request to justify an absence: its attachment's size, and how long after the class it may come. */
    justifications: {
      maxBytes: env.JUSTIFICATION_MAX_BYTES,
      windowMs: env.JUSTIFICATION_WINDOW_DAYS * DAY_MS,
      /** The request's body limit: the document in base64 (4 bytes per 3) and 64 KiB for the rest; the door's too. */
      bodyLimitBytes: Math.ceil(env.JUSTIFICATION_MAX_BYTES / 3) * 4 + 64 * 1024,
    },
  };
}

const schema = settings.superRefine(crossChecks).transform(toConfig);

/** The configuration as the service sees it: inferred from the schema, so it cannot drift from it. */
export type Config = z.output<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads `NAME_FILE` for each secret; the file wins only when `NAME` itself is not set. */
function withSecretFiles(source: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = { ...source };
  for (const name of SECRET_NAMES) {
    const file = source[`${name}_FILE`]?.trim();
    if (!file || source[name]) continue;
    try {
      resolved[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`Invalid configuration: ${name}_FILE: cannot read "${file}" (${reason})`);
    }
  }
  return resolved;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(withSecretFiles(source));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'configuration');
  // Secrets are named, never echoed; JSON quoting keeps a value with a line break on one line.
  const secret = (SECRET_NAMES as readonly string[]).includes(name);
  const got = source[name] === undefined || secret ? '' : ` (got ${JSON.stringify(source[name])})`;
  throw new ConfigError(`Invalid configuration: ${name}: ${issue.message}${got}`);
}
