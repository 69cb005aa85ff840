import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { portalLogin, request, startApache, type RunningApache } from '../support/apache.js';

const started: RunningApache[] = [];
const secretsDir = mkdtempSync(join(tmpdir(), 'asistencia-secrets-'));
// Apache's workers (www-data when the tests run as root) read the files, as they would a mounted secret.
chmodSync(secretsDir, 0o755);

afterAll(async () => {
  await Promise.all(started.map((apache) => apache.stop()));
  rmSync(secretsDir, { recursive: true, force: true });
});

/** A door with these settings; the previous one is stopped first (each door starts 6,000 threads). */
async function apacheWith(env: Record<string, string | undefined>): Promise<RunningApache> {
  await Promise.all(started.splice(0).map((previous) => previous.stop()));
  const apache = await startApache({ env });
  started.push(apache);
  return apache;
}

async function tokenAnswer(apache: RunningApache) {
  const cookie = await portalLogin(apache.httpUrl, 'ana.docente', 'demo1234');
  const answer = await request(`${apache.httpUrl}/token.php`, { headers: { cookie } });
  return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
}

describe('a portal without usable secrets', () => {
  it('refuses to issue tokens when JWT_SECRET is shorter than 32 bytes, says why, and logs it', async () => {
    const apache = await apacheWith({ JWT_SECRET: 'too-short-secret' });
    const { status, body } = await tokenAnswer(apache);
    expect(status).toBe(500);
    expect(body).toEqual({
      error: {
        code: 'TOKEN_ISSUER_MISCONFIGURED',
        message: 'The portal cannot issue tokens: its signing secret is missing or too short.',
      },
    });
    expect(apache.logs().error).toContain(
      'JWT_SECRET is too short: 16 bytes (from JWT_SECRET), at least 32 are needed, and node-service must use the same value',
    );
  });

  it('closes the internal API when INTERNAL_API_TOKEN is shorter than 32 bytes, and says so plainly', async () => {
    // 24 characters: what node-service used to accept; the portal has always needed 32.
    const apache = await apacheWith({ INTERNAL_API_TOKEN: 'a'.repeat(24) });
    const roster = await request(`${apache.internalUrl}/internal/roster.php?course=MAT101`, {
      headers: { authorization: `Bearer ${'a'.repeat(24)}` },
    });
    expect(roster.status).toBe(503);
    expect(JSON.parse(roster.body)).toEqual({
      error: {
        code: 'INTERNAL_API_NOT_CONFIGURED',
        message:
          "The internal API credential is not configured on the portal: INTERNAL_API_TOKEN is missing or shorter than 32 bytes (the portal's error log says which).",
      },
    });
    const log = apache.logs().error;
    expect(log).toContain('INTERNAL_API_TOKEN is too short: 24 bytes (from INTERNAL_API_TOKEN), at least 32 are needed');
    expect(log).toContain('openssl rand -hex 32');
    expect(log).not.toContain('a'.repeat(24));
  });

  it('names the file when a *_FILE secret is too short, unreadable or empty', async () => {
    writeFileSync(join(secretsDir, 'short-internal'), `${'b'.repeat(20)}\n`, { mode: 0o644 });
    writeFileSync(join(secretsDir, 'empty-jwt'), '\n', { mode: 0o644 });
    const apache = await apacheWith({
      INTERNAL_API_TOKEN: undefined,
      INTERNAL_API_TOKEN_FILE: join(secretsDir, 'short-internal'),
      JWT_SECRET: undefined,
      JWT_SECRET_FILE: join(secretsDir, 'empty-jwt'),
    });
    expect((await request(`${apache.internalUrl}/internal/courses.php?teacher=1`)).status).toBe(503);
    expect((await tokenAnswer(apache)).status).toBe(500);
    const log = apache.logs().error;
    expect(log).toContain(`INTERNAL_API_TOKEN is too short: 20 bytes (from INTERNAL_API_TOKEN_FILE ${join(secretsDir, 'short-internal')})`);
    expect(log).toContain(`JWT_SECRET is not usable: JWT_SECRET_FILE (${join(secretsDir, 'empty-jwt')}) is empty`);

    const missing = await apacheWith({ JWT_SECRET: undefined, JWT_SECRET_FILE: join(secretsDir, 'no-such-file') });
    expect((await tokenAnswer(missing)).status).toBe(500);
    expect(missing.logs().error).toContain(`JWT_SECRET is not usable: cannot read JWT_SECRET_FILE (${join(secretsDir, 'no-such-file')})`);
  });

  it('refuses to issue tokens when no secret is configured, and keeps the internal API closed without its credential', async () => {
    const apache = await apacheWith({ JWT_SECRET: undefined, INTERNAL_API_TOKEN: undefined });
    expect((await tokenAnswer(apache)).body).toMatchObject({ error: { code: 'TOKEN_ISSUER_MISCONFIGURED' } });
    expect(apache.logs().error).toContain('JWT_SECRET is not set: set JWT_SECRET or JWT_SECRET_FILE to at least 32 bytes');
    const roster = await request(`${apache.internalUrl}/internal/roster.php?course=MAT101`, {
      headers: { authorization: 'Bearer ' },
    });
    expect(roster.status).toBe(503);
    expect(JSON.parse(roster.body).error.code).toBe('INTERNAL_API_NOT_CONFIGURED');
  });

  it('refuses a token lifetime outside 300..600 seconds', async () => {
    const apache = await apacheWith({ JWT_TTL_SECONDS: '3600' });
    const { status, body } = await tokenAnswer(apache);
    expect(status).toBe(500);
    expect(body).toMatchObject({ error: { code: 'TOKEN_ISSUER_MISCONFIGURED' } });
    expect(apache.logs().error).toContain('JWT_TTL_SECONDS=3600 is outside 300..600');
  });
});

describe('secrets from files', () => {
  it('reads JWT_SECRET_FILE and INTERNAL_API_TOKEN_FILE, trims the trailing newline, and honours JWT_TTL_SECONDS', async () => {
    const jwtSecret = randomBytes(32).toString('hex');
    const internalToken = randomBytes(32).toString('hex');
    writeFileSync(join(secretsDir, 'jwt'), `${jwtSecret}\n`, { mode: 0o644 });
    writeFileSync(join(secretsDir, 'internal'), `${internalToken}\n`, { mode: 0o644 });
    const apache = await apacheWith({
      JWT_SECRET: undefined,
      JWT_SECRET_FILE: join(secretsDir, 'jwt'),
      INTERNAL_API_TOKEN: undefined,
      INTERNAL_API_TOKEN_FILE: join(secretsDir, 'internal'),
      JWT_TTL_SECONDS: '600',
      JWT_ISSUER: 'portal-test',
      JWT_AUDIENCE: 'asistencia-test',
    });
    const { status, body } = await tokenAnswer(apache);
    expect(status).toBe(200);
    const { payload } = await jwtVerify(body.token as string, new TextEncoder().encode(jwtSecret), {
      algorithms: ['HS256'],
      issuer: 'portal-test',
      audience: 'asistencia-test',
    });
    expect(payload.exp! - payload.iat!).toBe(600);

    const roster = await request(`${apache.internalUrl}/internal/roster.php?course=FIS201`, {
      headers: { authorization: `Bearer ${internalToken}` },
    });
    expect(roster.status).toBe(200);
  });
});

describe('the test harness', () => {
  it('fails clearly, with the error log, when Apache cannot start', async () => {
    const missing = join(secretsDir, 'no-such-cert.pem');
    await expect(startApache({ tlsCert: missing, tlsKey: missing })).rejects.toThrow(
      /Apache did not start[\s\S]*no-such-cert\.pem/,
    );
  });
});
