import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../support/api.js';
import { startService, TEST_JWT_SECRET, type RunningService } from '../support/service.js';
import { mislabelledToken, portalToken, unsignedToken, users } from '../support/tokens.js';

/**
 * The portal token is the only way in: every defect is refused with 401 and its own code, so the pages can
 * tell a person what to do. Real service, real PostgreSQL and Valkey.
 */
let service: RunningService;
const INTERNAL = 'internal-credential-for-tests-0123456789';

beforeAll(async () => {
  service = await startService({ env: { INTERNAL_API_TOKEN: INTERNAL } });
});
afterAll(() => service?.stop());

async function me(token?: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${service.baseUrl}/asistencia/api/me`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return { status: response.status, body: (await response.json()) as Json };
}

describe('GET /asistencia/api/me', () => {
  it('returns the verified identity of a valid portal token', async () => {
    const { status, body } = await me(await portalToken(users.teacher));
    expect(status).toBe(200);
    expect(body).toEqual({ id: '1', name: 'Ana Martínez', role: 'teacher' });
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refusals: Array<[string, () => Promise<string | undefined>, string]> = [
    ['no token', async () => undefined, 'AUTH_TOKEN_MISSING'],
    ['garbage', async () => 'not-a-jwt', 'AUTH_TOKEN_MALFORMED'],
    ['expired', () => portalToken(users.student, { iat: now() - 600, nbf: now() - 600, exp: now() - 120 }), 'AUTH_TOKEN_EXPIRED'],
    ['not yet valid', () => portalToken(users.student, { nbf: now() + 300, exp: now() + 600 }), 'AUTH_TOKEN_NOT_YET_VALID'],
    ['wrong audience', () => portalToken(users.student, { aud: 'another-service' }), 'AUTH_TOKEN_WRONG_AUDIENCE'],
    ['wrong issuer', () => portalToken(users.student, { iss: 'someone-else' }), 'AUTH_TOKEN_WRONG_ISSUER'],
    ['wrong secret', () => portalToken(users.student, { secret: `${TEST_JWT_SECRET}-but-not-quite` }), 'AUTH_TOKEN_BAD_SIGNATURE'],
    ['alg none', async () => unsignedToken(users.student), 'AUTH_TOKEN_UNSIGNED'],
    ['HS256 signature under an RS256 header', () => mislabelledToken(users.student), 'AUTH_TOKEN_ALGORITHM_REFUSED'],
    ['HS512', () => portalToken(users.student, { alg: 'HS512' }), 'AUTH_TOKEN_ALGORITHM_REFUSED'],
    ['unknown role', () => portalToken({ sub: '9', role: 'janitor', name: 'X' }), 'AUTH_TOKEN_CLAIMS_INVALID'],
    ['issued hours ago with a long life', () => portalToken(users.student, { iat: now() - 7200, nbf: now() - 7200, exp: now() + 3600 }), 'AUTH_TOKEN_EXPIRED'],
  ];

  it.each(refusals)('refuses %s with 401 and a distinct code', async (_label, makeToken, code) => {
    const { status, body } = await me(await makeToken());
    expect(status).toBe(401);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/\S/);
  });

  it('tolerates a small clock difference (≤ 30 s) on nbf', async () => {
    const { status } = await me(await portalToken(users.student, { nbf: now() + 20 }));
    expect(status).toBe(200);
  });

  it('answers in Spanish by default and in English when asked', async () => {
    const spanish = await me(undefined);
    const english = await me(undefined, { 'accept-language': 'en-GB,en;q=0.9' });
    expect(spanish.body.error.message).toMatch(/inicia sesión/i);
    expect(english.body.error.message).toMatch(/sign in/i);
  });
});

describe('revocation (portal logout)', () => {
  const revoke = (body: unknown, credential = INTERNAL) =>
    fetch(`${service.baseUrl}/asistencia/internal/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses a revoked jti until it expires, and only that one', async () => {
    const jti = 'revoked-jti-0001';
    const token = await portalToken(users.student, { jti });
    const other = await portalToken(users.student);
    expect((await me(token)).status).toBe(200);
    const response = await revoke({ jti, exp: Math.floor(Date.now() / 1000) + 300 });
    expect(response.status).toBe(204);
    const after = await me(token);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('AUTH_TOKEN_REVOKED');
    expect((await me(other)).status).toBe(200);
  });

  it('needs the service credential, never a user token', async () => {
    const userToken = await portalToken(users.admin);
    const withUserToken = await revoke({ jti: 'x-000000001', exp: Math.floor(Date.now() / 1000) + 60 }, userToken);
    expect(withUserToken.status).toBe(401);
    expect(((await withUserToken.json()) as Json).error.code).toBe('AUTH_SERVICE_CREDENTIAL_INVALID');
  });

  it('validates the body and changes nothing on bad input', async () => {
    const response = await revoke({ jti: 'short', exp: 'soon' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Json;
    expect(body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('rate limits', () => {
  it('limits each user on the API with X-RateLimit headers, then 429 with Retry-After and a clear message', async () => {
    const limited = await startService({ env: { RATE_LIMIT_USER_PER_MINUTE: '3' } });
    try {
      const token = await portalToken(users.student);
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i += 1) {
        last = await fetch(`${limited.baseUrl}/asistencia/api/me`, { headers: { authorization: `Bearer ${token}` } });
        statuses.push(last.status);
        if (i === 0) {
          expect(last.headers.get('x-ratelimit-limit')).toBe('3');
          expect(last.headers.get('x-ratelimit-remaining')).toBe('2');
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await last!.json()) as Json;
      expect(body.error.code).toBe('RATE_LIMITED');
      expect(body.error.message).toMatch(/Espera \d+ segundos/);
      // Another user is not affected.
      const other = await fetch(`${limited.baseUrl}/asistencia/api/me`, { headers: { authorization: `Bearer ${await portalToken(users.student2)}` } });
      expect(other.status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
