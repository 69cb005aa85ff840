import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createTestRootCa } from '../../test/support/attestation.js';
import { ConfigError, loadConfig } from './env.js';

const strongSecret = 'a-portal-secret-that-is-long-enough-0123456789';
const secretsDir = mkdtempSync(join(tmpdir(), 'asistencia-env-test-'));
afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

/** Writes a secret file the way podman secrets mount them (with a trailing newline). */
function secretFile(name: string, content: string): string {
  const path = join(secretsDir, name);
  writeFileSync(path, `${content}\n`);
  return path;
}

/** The error loadConfig stops with, or a failure when it does not stop. */
function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('with no environment at all', () => {
  const config = loadConfig({});

  test('listens on 127.0.0.1:3000 in development, logging at info', () => {
    expect(config).toMatchObject({ env: 'development', host: '127.0.0.1', port: 3000, logLevel: 'info' });
    expect(config.publicUrl.href).toBe('http://localhost:3000/');
  });

  test('uses the embedded database under node-service/.data and the in-process store', () => {
    expect(config.database).toEqual({ dataDir: expect.stringMatching(/node-service\/\.data$/) });
    expect(config.valkey).toEqual({ keyPrefix: 'asistencia:' });
  });

  test('finds the real migrations and functions folders', () => {
    expect(existsSync(join(config.migrationsDir, '001.do.initial-schema.sql'))).toBe(true);
    expect(existsSync(join(config.functionsDir, 'attendance.record_confirmations.sql'))).toBe(true);
  });

  test('enables the development sign-in with a fresh 32-byte secret per run', () => {
    expect(config.devSignIn).toBe(true);
    expect(config.portal.loginUrl).toBe('/asistencia/dev/');
    expect(config.portal.logoutUrl).toBe('/asistencia/dev/');
    expect(config.jwt.secret).toHaveLength(32);
    expect(Buffer.from(loadConfig({}).jwt.secret).equals(Buffer.from(config.jwt.secret))).toBe(false);
  });

  test('has the documented limits', () => {
    expect(config.limits).toMatchObject({ shutdownTimeoutMs: 4000, wsAuthTimeoutMs: 5000, wsMaxPerUser: 8, wsMaxPerAddress: 200, bodyBytes: 65536 });
    expect(config.trustProxy).toEqual(['127.0.0.1', '::1']);
    expect(config.jwt).toMatchObject({ issuer: 'asistencia-portal', audience: 'asistencia', maxAgeMs: 900_000 });
  });
});

describe('LOG_FORMAT', () => {
  test('is pretty unless NODE_ENV=production, where it is JSON', () => {
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'development' }).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: strongSecret }).logFormat).toBe('json');
  });

  test('left empty (as compose files often leave a variable), it is unset', () => {
    expect(loadConfig({ LOG_FORMAT: '' }).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: strongSecret, LOG_FORMAT: ' ' }).logFormat).toBe('json');
  });

  test('an explicit choice wins in either environment', () => {
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: strongSecret, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
  });
});

describe('inside the service every duration is in milliseconds', () => {
  test('settings named in seconds, minutes, hours or days arrive as milliseconds', () => {
    const config = loadConfig({
      JWT_CLOCK_TOLERANCE_SECONDS: '10',
      JWT_MAX_AGE_SECONDS: '600',
      ENROLLMENT_CHALLENGE_TTL_SECONDS: '120',
      ENROLLMENT_COOLDOWN_MINUTES: '0,5,60',
      ENROLLMENT_REBIND_COOLDOWN_HOURS: '2',
      DEV_SESSION_HOURS: '2',
      SCAN_CHALLENGE_TTL_SECONDS: '15',
      FALLBACK_CODE_TTL_SECONDS: '25',
      RETENTION_CLIENT_ADDRESS_DAYS: '7',
      RETENTION_RECEIPTS_DAYS: '365',
    });
    expect(config.jwt).toMatchObject({ clockToleranceMs: 10_000, maxAgeMs: 600_000 });
    expect(config.enrollment).toMatchObject({ challengeTtlMs: 120_000, cooldownMs: [0, 300_000, 3_600_000], rebindCooldownMs: 7_200_000 });
    expect(config.limits.devSessionMs).toBe(7_200_000);
    expect(config.scan.challengeTtlMs).toBe(15_000);
    expect(config.sessions.fallbackCodeTtlMs).toBe(25_000);
    expect(config.retention).toEqual({ clientAddressMs: 7 * 86_400_000, receiptsMs: 365 * 86_400_000 });
  });

  test('the documented defaults, converted', () => {
    const config = loadConfig({});
    expect(config.enrollment).toMatchObject({ challengeTtlMs: 300_000, cooldownMs: [0, 1_800_000, 21_600_000, 86_400_000], rebindCooldownMs: 86_400_000, rebindsBeforeFlag: 3 });
    expect(config.sessions).toMatchObject({ minPeriodMs: 1000, defaultPeriodMs: 3000, maxPeriodMs: 30_000, defaultLateAfterMinutes: 15 });
    expect(config.limits.devSessionMs).toBe(8 * 3_600_000);
  });
});

describe('CAMPUS_NETWORKS', () => {
  test('takes networks in CIDR notation, and refuses a host or a typo naming the setting', () => {
    expect(loadConfig({ CAMPUS_NETWORKS: '10.20.0.0/16, 2001:db8:100::/48' }).scan.campusNetworks).toEqual(['10.20.0.0/16', '2001:db8:100::/48']);
    expect(loadConfig({}).scan.campusNetworks).toEqual([]);
    expect(refusal({ CAMPUS_NETWORKS: '10.20.0.1/16' }).message).toMatch(/^Invalid configuration: CAMPUS_NETWORKS: expected networks in CIDR notation/);
    expect(refusal({ CAMPUS_NETWORKS: 'campus' }).message).toMatch(/^Invalid configuration: CAMPUS_NETWORKS:/);
  });
});

describe('BASE_PATH', () => {
  test('is /asistencia unless set, and the development sign-in hangs under it', () => {
    expect(loadConfig({}).basePath).toBe('/asistencia');
    const moved = loadConfig({ BASE_PATH: '/attendance/v2' });
    expect(moved.basePath).toBe('/attendance/v2');
    expect(moved.portal).toMatchObject({ loginUrl: '/attendance/v2/dev/', tokenUrl: '/attendance/v2/dev/token' });
  });

  test('starts with a slash, has no trailing slash and only plain path segments', () => {
    expect(refusal({ BASE_PATH: 'asistencia' }).message).toMatch(/^Invalid configuration: BASE_PATH: must start with '\/'/);
    expect(refusal({ BASE_PATH: '/asistencia/' }).message).toMatch(/^Invalid configuration: BASE_PATH: must not end with '\/'/);
    expect(refusal({ BASE_PATH: '/' }).message).toMatch(/^Invalid configuration: BASE_PATH: must not end with '\/'/);
    expect(refusal({ BASE_PATH: '/a//b' }).message).toMatch(/^Invalid configuration: BASE_PATH: expected path segments/);
    expect(refusal({ BASE_PATH: '/a b?c' }).message).toMatch(/^Invalid configuration: BASE_PATH: expected path segments/);
  });
});

describe('a retired setting', () => {
  test('ENROLLMENT_REBIND_COOLDOWN_MINUTES is refused, naming the setting that replaced it', () => {
    expect(refusal({ ENROLLMENT_REBIND_COOLDOWN_MINUTES: '30' }).message).toMatch(/ENROLLMENT_REBIND_COOLDOWN_MINUTES: replaced by ENROLLMENT_REBIND_COOLDOWN_HOURS/);
  });

  test('WEBAUTHN_ATTESTATION is refused, naming ENROLLMENT_ATTESTATION', () => {
    for (const value of ['none', 'direct']) {
      expect(refusal({ WEBAUTHN_ATTESTATION: value }).message).toMatch(/^Invalid configuration: WEBAUTHN_ATTESTATION: replaced by ENROLLMENT_ATTESTATION \(none, prefer or require; what was direct is now prefer\)/);
    }
  });
});

describe('attestation', () => {
  test('ENROLLMENT_ATTESTATION is none unless set to prefer or require', () => {
    expect(loadConfig({}).enrollment).toMatchObject({ attestation: 'none', attestationRoots: [] });
    expect(loadConfig({ ENROLLMENT_ATTESTATION: 'require' }).enrollment.attestation).toBe('require');
    expect(refusal({ ENROLLMENT_ATTESTATION: 'direct' }).message).toMatch(/^Invalid configuration: ENROLLMENT_ATTESTATION:/);
  });

  test('ENROLLMENT_ATTESTATION_ROOTS_FILE: every CA certificate of the PEM bundle, as DER', async () => {
    const [first, second] = await Promise.all([createTestRootCa('Root One'), createTestRootCa('Root Two')]);
    const roots = loadConfig({ ENROLLMENT_ATTESTATION_ROOTS_FILE: secretFile('roots.pem', `# two roots\n${first.pem}\n${second.pem}`) }).enrollment.attestationRoots;
    expect(roots.map((root) => Buffer.from(root))).toEqual([Buffer.from(first.der), Buffer.from(second.der)]);
  });

  test('ENROLLMENT_ATTESTATION_ROOTS_FILE: a file that cannot serve stops start-up, saying why', async () => {
    const leaf = await createTestRootCa('Not A CA', { ca: false });
    const cases: Array<[content: string | null, problem: RegExp]> = [
      [null, /cannot read the file \(ENOENT\) \(got ".*missing\.pem"\)/],
      ['no certificates here', /the file holds no PEM certificate/],
      ['-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----', /certificate 1 of the file is not a readable X\.509 certificate/],
      [leaf.pem, /certificate 1 of the file is not a CA certificate \(C=CL, O=Asistencia Tests, CN=Not A CA\)/],
    ];
    for (const [content, problem] of cases) {
      const file = content === null ? join(secretsDir, 'missing.pem') : secretFile('bad-roots.pem', content);
      expect(refusal({ ENROLLMENT_ATTESTATION_ROOTS_FILE: file }).message).toMatch(new RegExp(`^Invalid configuration: ENROLLMENT_ATTESTATION_ROOTS_FILE: ${problem.source}`));
    }
  });

  test('ENROLLMENT_AAGUID_ALLOWLIST needs an attestation to count in: refused with ENROLLMENT_ATTESTATION=none', () => {
    const allowlist = 'ee882879-721c-4913-9775-3dfcce97072a';
    expect(refusal({ ENROLLMENT_AAGUID_ALLOWLIST: allowlist }).message).toMatch(
      /^Invalid configuration: ENROLLMENT_AAGUID_ALLOWLIST: an AAGUID counts only inside a verified attestation.*set ENROLLMENT_ATTESTATION=prefer or require/,
    );
    expect(loadConfig({ ENROLLMENT_AAGUID_ALLOWLIST: allowlist.toUpperCase(), ENROLLMENT_ATTESTATION: 'prefer' }).enrollment.aaguidAllowlist).toEqual([allowlist]);
  });
});

describe('settings that must agree with one another', () => {
  test('the default rotation period lies between the minimum and the maximum', () => {
    expect(refusal({ SESSION_DEFAULT_PERIOD_MS: '40000' }).message).toBe(
      'Invalid configuration: SESSION_DEFAULT_PERIOD_MS: must lie between SESSION_MIN_PERIOD_MS (1000) and SESSION_MAX_PERIOD_MS (30000) (got "40000")',
    );
    expect(refusal({ SESSION_MIN_PERIOD_MS: '5000' }).message).toBe(
      'Invalid configuration: SESSION_DEFAULT_PERIOD_MS: must lie between SESSION_MIN_PERIOD_MS (5000) and SESSION_MAX_PERIOD_MS (30000)',
    );
  });

  test('an imported timetable fits, escaped, in a request body', () => {
    expect(refusal({ SESSION_IMPORT_MAX_BYTES: '40000' }).message).toBe(
      'Invalid configuration: SESSION_IMPORT_MAX_BYTES: must not exceed half of BODY_LIMIT_BYTES (65536): the JSON body carries the CSV escaped (got "40000")',
    );
    expect(loadConfig({ SESSION_IMPORT_MAX_BYTES: '40000', BODY_LIMIT_BYTES: '80000' }).sessions.importMaxBytes).toBe(40000);
    // Unset, it follows a smaller body limit instead of refusing a start the operator never asked it to.
    expect(loadConfig({ BODY_LIMIT_BYTES: '8192' }).sessions.importMaxBytes).toBe(4096);
    expect(loadConfig({}).sessions.importMaxBytes).toBe(32 * 1024);
  });

  test('the minimum rotation period is one the database keeps (1 s at least), so no session can be refused by it with a 500', () => {
    expect(refusal({ SESSION_MIN_PERIOD_MS: '500' }).message).toMatch(/^Invalid configuration: SESSION_MIN_PERIOD_MS: expected a whole number between 1000 and 60000/);
  });

  test('the minimum rotation period does not exceed the maximum', () => {
    expect(refusal({ SESSION_MIN_PERIOD_MS: '20000', SESSION_MAX_PERIOD_MS: '10000', SESSION_DEFAULT_PERIOD_MS: '15000' }).message).toBe(
      'Invalid configuration: SESSION_MIN_PERIOD_MS: must not exceed SESSION_MAX_PERIOD_MS (10000) (got "20000")',
    );
  });

  test('periods that agree start, at the edges too', () => {
    const config = loadConfig({ SESSION_MIN_PERIOD_MS: '2000', SESSION_DEFAULT_PERIOD_MS: '2000', SESSION_MAX_PERIOD_MS: '2000' });
    expect(config.sessions).toMatchObject({ minPeriodMs: 2000, defaultPeriodMs: 2000, maxPeriodMs: 2000 });
  });
});

describe('settings that choose the real servers', () => {
  test('DATABASE_URL and VALKEY_URL switch to PostgreSQL and Valkey', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/asistencia', VALKEY_URL: 'valkey://cache:6379', VALKEY_KEY_PREFIX: 'a1:' });
    expect(config.database).toEqual({
      url: 'postgres://db/asistencia',
      poolSize: 10,
      connectionTimeoutMs: 5000,
      statementTimeoutMs: 4000,
      maxWaiting: 1000,
      refusalHoldMs: 10_000,
    });
    expect(config.valkey).toEqual({ url: 'valkey://cache:6379', keyPrefix: 'a1:' });
  });

  test('waiting is bounded by named settings: request deadline, pool and statement timeouts, clock offset', () => {
    const config = loadConfig({});
    expect(config.limits.requestDeadlineMs).toBe(5000);
    expect(config.clock).toEqual({ maxOffsetMs: 250, refreshMs: 10_000 });
    expect(() => loadConfig({ REQUEST_DEADLINE_MS: '0' })).toThrow(/REQUEST_DEADLINE_MS/);
    expect(() => loadConfig({ DATABASE_MAX_WAITING: 'many' })).toThrow(/DATABASE_MAX_WAITING/);
  });

  test('DATABASE_REPLICA_URL names a standby for the reads that may be seconds stale, with its lag bound and probe', () => {
    const primary = { DATABASE_URL: 'postgres://db/asistencia' };
    expect(loadConfig(primary).database).toHaveProperty('replica', undefined);
    const config = loadConfig({ ...primary, DATABASE_REPLICA_URL: 'postgres://standby/asistencia' });
    expect(config.database).toMatchObject({ replica: { url: 'postgres://standby/asistencia', maxLagMs: 5000, probeMs: 1000 } });
    const tuned = loadConfig({ ...primary, DATABASE_REPLICA_URL: 'postgres://standby/asistencia', DATABASE_REPLICA_MAX_LAG_SECONDS: '30', DATABASE_REPLICA_PROBE_MS: '250' });
    expect(tuned.database).toMatchObject({ replica: { maxLagMs: 30_000, probeMs: 250 } });
    const fromFile = loadConfig({ ...primary, DATABASE_REPLICA_URL_FILE: secretFile('replica.url', 'postgres://reader:pw@standby/asistencia') });
    expect(fromFile.database).toMatchObject({ replica: { url: 'postgres://reader:pw@standby/asistencia' } });
  });

  test('a standby without a primary, a bad standby URL or a probe slower than the lag bound stops start-up', () => {
    expect(refusal({ DATABASE_REPLICA_URL: 'postgres://standby/asistencia' }).message).toMatch(/^Invalid configuration: DATABASE_REPLICA_URL: requires DATABASE_URL/);
    const bad = refusal({ DATABASE_URL: 'postgres://db/a', DATABASE_REPLICA_URL: 'mysql://reader:hunter2@standby/a' });
    expect(bad.message).toMatch(/^Invalid configuration: DATABASE_REPLICA_URL: expected a URL/);
    expect(bad.message).not.toContain('hunter2');
    expect(refusal({ DATABASE_URL: 'postgres://db/a', DATABASE_REPLICA_MAX_LAG_SECONDS: '2', DATABASE_REPLICA_PROBE_MS: '2000' }).message).toMatch(
      /^Invalid configuration: DATABASE_REPLICA_PROBE_MS: must be shorter than DATABASE_REPLICA_MAX_LAG_SECONDS/,
    );
  });

  test('an empty DATABASE_URL (as compose files often leave it) means the embedded database', () => {
    expect(loadConfig({ DATABASE_URL: '' }).database).toHaveProperty('dataDir');
  });

  test('JWT_SECRET turns the development sign-in off and points at the portal', () => {
    const config = loadConfig({ JWT_SECRET: strongSecret });
    expect(config.devSignIn).toBe(false);
    expect(new TextDecoder().decode(config.jwt.secret)).toBe(strongSecret);
    expect(config.portal).toMatchObject({ loginUrl: '/login.php', tokenUrl: '/token.php', logoutUrl: '/logout.php' });
  });
});

describe('Valkey behind sentinels (VALKEY_SENTINELS, VALKEY_SENTINEL_MASTER)', () => {
  test('the sentinels and the name they watch replace the URL; the URL keeps only its password', () => {
    const config = loadConfig({
      VALKEY_SENTINELS: 'sentinel-1:26379, 10.0.0.2:26380,[fd00::3]:26379',
      VALKEY_SENTINEL_MASTER: 'asistencia',
      VALKEY_URL: 'redis://:pw@ignored:6379',
    });
    expect(config.valkey).toEqual({
      url: 'redis://:pw@ignored:6379',
      keyPrefix: 'asistencia:',
      sentinel: {
        addresses: [
          { host: 'sentinel-1', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
          { host: 'fd00::3', port: 26379 },
        ],
        master: 'asistencia',
        password: undefined,
      },
    });
  });

  test('without VALKEY_URL the servers need no password; the sentinel password may come from a file', () => {
    const config = loadConfig({
      VALKEY_SENTINELS: 's1:26379',
      VALKEY_SENTINEL_MASTER: 'm',
      VALKEY_SENTINEL_PASSWORD_FILE: secretFile('sentinel.pw', 'sentinel-secret'),
    });
    expect(config.valkey).toEqual({ url: undefined, keyPrefix: 'asistencia:', sentinel: { addresses: [{ host: 's1', port: 26379 }], master: 'm', password: 'sentinel-secret' } });
  });

  test.each([
    ['s1', /VALKEY_SENTINELS: expected host:port/],
    ['s1:0', /VALKEY_SENTINELS: expected host:port/],
    ['s1:70000', /VALKEY_SENTINELS: expected host:port/],
    ['s1:26379,http://s2:1', /VALKEY_SENTINELS: expected host:port/],
  ])('a sentinel address %s is refused', (value, message) => {
    expect(refusal({ VALKEY_SENTINELS: value, VALKEY_SENTINEL_MASTER: 'm' }).message).toMatch(message);
  });

  test('sentinels without the name they watch the primary under are refused, and the other way round', () => {
    expect(refusal({ VALKEY_SENTINELS: 's1:26379' }).message).toMatch(/VALKEY_SENTINEL_MASTER: required when VALKEY_SENTINELS is set/);
    expect(refusal({ VALKEY_SENTINEL_MASTER: 'm' }).message).toMatch(/VALKEY_SENTINELS: required when VALKEY_SENTINEL_MASTER/);
    expect(refusal({ VALKEY_SENTINEL_PASSWORD: 'pw' }).message).toMatch(/VALKEY_SENTINELS: required when/);
    expect(refusal({ VALKEY_SENTINELS: 's1:1', VALKEY_SENTINEL_MASTER: 'bad name' }).message).toMatch(/VALKEY_SENTINEL_MASTER: expected a name/);
  });

  test('TLS to the servers behind sentinels is refused rather than silently dropped', () => {
    expect(refusal({ VALKEY_SENTINELS: 's1:1', VALKEY_SENTINEL_MASTER: 'm', VALKEY_URL: 'rediss://:pw@x:6380' }).message).toMatch(/VALKEY_URL: rediss/);
  });

  test('the sentinel password is never echoed in a refusal', () => {
    const error = refusal({ VALKEY_SENTINEL_PASSWORD: 'hunter2-sentinel' });
    expect(error.message).not.toContain('hunter2');
  });
});

describe('secrets from files (NAME_FILE)', () => {
  const secrets = [
    { name: 'JWT_SECRET', value: strongSecret, read: (c: ReturnType<typeof loadConfig>) => new TextDecoder().decode(c.jwt.secret) },
    { name: 'DATABASE_URL', value: 'postgres://app:pw@db/asistencia', read: (c: ReturnType<typeof loadConfig>) => ('url' in c.database ? c.database.url : undefined) },
    { name: 'VALKEY_URL', value: 'redis://:pw@cache:6379', read: (c: ReturnType<typeof loadConfig>) => ('url' in c.valkey ? c.valkey.url : undefined) },
    { name: 'INTERNAL_API_TOKEN', value: 'service-token-0123456789abcdef-0123456789', read: (c: ReturnType<typeof loadConfig>) => c.internalApiToken },
    { name: 'SMTP_PASSWORD', value: 'smtp-password-42', read: (c: ReturnType<typeof loadConfig>) => c.mail.smtpPassword },
  ];

  test.each(secrets)('$name may come from its _FILE, without the trailing newline', ({ name, value, read }) => {
    const config = loadConfig({ [`${name}_FILE`]: secretFile(`${name}.file`, value) });
    expect(read(config)).toBe(value);
  });

  test.each(secrets)('$name set directly wins over its _FILE', ({ name, value, read }) => {
    const fromFile = secretFile(`${name}.other`, value.replace(/.$/, 'Z'));
    expect(read(loadConfig({ [name]: value, [`${name}_FILE`]: fromFile }))).toBe(value);
  });

  test('a secret file that cannot be read stops start-up naming the setting and the path', () => {
    const error = refusal({ JWT_SECRET_FILE: '/nonexistent/jwt' });
    expect(error.message).toBe('Invalid configuration: JWT_SECRET_FILE: cannot read "/nonexistent/jwt" (ENOENT)');
  });

  test('a secret read from a file is still checked', () => {
    const error = refusal({ JWT_SECRET_FILE: secretFile('short.jwt', 'too-short') });
    expect(error.message).toMatch(/^Invalid configuration: JWT_SECRET: must be at least 32 bytes long/);
  });
});

describe('warnings by e-mail (SMTP_*, MAIL_*)', () => {
  test('off by default; on with SMTP_URL and SMTP_FROM, the digest day as an ISO weekday', () => {
    expect(loadConfig({}).mail).toMatchObject({ smtpUrl: undefined, maxPerRun: 500, digestDay: 1, digestHour: 8, sendTimeoutMs: 30_000 });
    const on = loadConfig({ SMTP_URL: 'smtps://mailer@smtp.example.edu', SMTP_FROM: 'Asistencia <asistencia@example.edu>', MAIL_DIGEST_DAY: 'friday' }).mail;
    expect(on).toMatchObject({ smtpUrl: 'smtps://mailer@smtp.example.edu', from: 'Asistencia <asistencia@example.edu>', digestDay: 5 });
  });

  test('SMTP_URL needs SMTP_FROM, an smtp(s) URL, and is never echoed (it may hold a password)', () => {
    expect(refusal({ SMTP_URL: 'smtp://127.0.0.1:25' }).message).toMatch(/^Invalid configuration: SMTP_FROM: required when SMTP_URL is set/);
    const bad = refusal({ SMTP_URL: 'http://user:hunter2@mail.example.edu', SMTP_FROM: 'a@example.edu' });
    expect(bad.message).toMatch(/^Invalid configuration: SMTP_URL: expected a URL starting with smtp:\/\/ or smtps:\/\//);
    expect(bad.message).not.toContain('hunter2');
    expect(refusal({ SMTP_URL: 'smtp://127.0.0.1', SMTP_FROM: 'not an address' }).message).toMatch(/^Invalid configuration: SMTP_FROM: expected an address/);
    expect(refusal({ MAIL_DIGEST_HOUR: '24' }).message).toMatch(/^Invalid configuration: MAIL_DIGEST_HOUR/);
  });
});

describe('a bad setting stops start-up with one line naming it', () => {
  test.each([
    { name: 'PORT', value: 'abc' },
    { name: 'PORT', value: '70000' },
    { name: 'NODE_ENV', value: 'staging' },
    { name: 'LOG_LEVEL', value: 'loud' },
    { name: 'LOG_FORMAT', value: 'text' },
    { name: 'DATABASE_URL', value: 'mysql://x' },
    { name: 'VALKEY_URL', value: 'http://cache:6379' },
    { name: 'JWT_SECRET', value: 'short' },
    { name: 'INTERNAL_API_TOKEN', value: 'short' },
    { name: 'SHUTDOWN_TIMEOUT_MS', value: '5' },
  ])('$name=$value', ({ name, value }) => {
    const { message } = refusal({ [name]: value });
    expect(message.startsWith(`Invalid configuration: ${name}: `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  test('the refused value of an ordinary setting is shown, to help the operator', () => {
    expect(refusal({ PORT: 'abc' }).message).toBe(
      'Invalid configuration: PORT: expected a whole number between 1 and 65535 (got "abc")',
    );
  });

  test('TIME_ZONE defaults to America/Santiago, takes another IANA zone, and refuses an unknown one', () => {
    expect(loadConfig({}).timeZone).toBe('America/Santiago');
    expect(loadConfig({ TIME_ZONE: 'Europe/Madrid' }).timeZone).toBe('Europe/Madrid');
    expect(refusal({ TIME_ZONE: 'Santiago' }).message).toBe(
      'Invalid configuration: TIME_ZONE: expected an IANA time zone, e.g. America/Santiago (got "Santiago")',
    );
  });

  test('ATTENDANCE_MIN_RATE is a percentage: 75 by default, 0 to 100 with one decimal, never a fraction', () => {
    expect(loadConfig({}).attendance.minRatePercent).toBe(75);
    expect(loadConfig({ ATTENDANCE_MIN_RATE: '62.5' }).attendance.minRatePercent).toBe(62.5);
    expect(loadConfig({ ATTENDANCE_MIN_RATE: '0' }).attendance.minRatePercent).toBe(0);
    expect(loadConfig({ ATTENDANCE_MIN_RATE: '100' }).attendance.minRatePercent).toBe(100);
    expect(refusal({ ATTENDANCE_MIN_RATE: '0.75' }).message).toBe(
      'Invalid configuration: ATTENDANCE_MIN_RATE: expected a percentage, e.g. 75 for 75 % (not a fraction) (got "0.75")',
    );
    for (const bad of ['101', '-5', '75%', 'setenta', '', '75.25']) expect(refusal({ ATTENDANCE_MIN_RATE: bad }).message).toMatch(/^Invalid configuration: ATTENDANCE_MIN_RATE: expected/);
  });

  test('the standing’s warn margin and early term, and the justification limits: defaults and bounds', () => {
    expect(loadConfig({}).attendance).toMatchObject({ warnMargin: 2, earlyTermSessions: 5 });
    expect(loadConfig({}).justifications).toEqual({ maxBytes: 2 * 1024 * 1024, windowMs: 14 * 24 * 60 * 60 * 1000, bodyLimitBytes: 2861740 });
    expect(loadConfig({ ATTENDANCE_WARN_MARGIN: '0', ATTENDANCE_EARLY_TERM_SESSIONS: '8' }).attendance).toMatchObject({ warnMargin: 0, earlyTermSessions: 8 });
    expect(loadConfig({ JUSTIFICATION_MAX_BYTES: '1048576' }).justifications.maxBytes).toBe(1048576);
    for (const [name, bad] of [['ATTENDANCE_WARN_MARGIN', '-1'], ['ATTENDANCE_EARLY_TERM_SESSIONS', '1.5'], ['JUSTIFICATION_MAX_BYTES', '100'], ['JUSTIFICATION_WINDOW_DAYS', '0']] as const) {
      expect(refusal({ [name]: bad }).message).toMatch(new RegExp(`^Invalid configuration: ${name}: `));
    }
  });

  test('a value with a line break still gives a single line', () => {
    expect(refusal({ PORT: '80\n80' }).message).not.toContain('\n');
  });

  test.each([
    { name: 'JWT_SECRET', value: 'hunter2-but-short' },
    { name: 'DATABASE_URL', value: 'mysql://admin:hunter2@db/asistencia' },
    { name: 'VALKEY_URL', value: 'http://:hunter2@cache:6379' },
    { name: 'INTERNAL_API_TOKEN', value: 'hunter2' },
  ])('a refused $name is named but its value is never printed', ({ name, value }) => {
    const { message } = refusal({ [name]: value });
    expect(message).toContain(name);
    expect(message).not.toContain('hunter2');
  });

  test('production without a JWT secret names JWT_SECRET', () => {
    expect(refusal({ NODE_ENV: 'production' }).message).toBe(
      'Invalid configuration: JWT_SECRET: required when NODE_ENV=production (set JWT_SECRET or JWT_SECRET_FILE)',
    );
  });

  test('production with the secret in a file starts', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET_FILE: secretFile('prod.jwt', strongSecret) });
    expect(config.devSignIn).toBe(false);
  });
});
