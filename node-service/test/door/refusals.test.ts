import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/apache.js';
import { TEST_JWT_SECRET } from '../support/service.js';
import { mislabelledToken, portalToken, unsignedToken, users } from '../support/tokens.js';
import { call, portalLogout, signIn, startDoor, type Door } from './door.js';

/**
 * Through Apache, every defective portal token is refused with 401 and a code saying what is wrong, the
 * revocation the portal sends at logout takes effect, and a role is enforced per route. The forged tokens
 * are signed with the very secret the portal signs with, so each is refused for its one defect.
 */
let door: Door;

beforeAll(async () => {
  door = await startDoor();
});
afterAll(() => door?.stop());

const me = (token?: string) => call(`${door.apache.httpUrl}/asistencia/api/me`, token);
const now = () => Math.floor(Date.now() / 1000);

describe('refused portal tokens', () => {
  const refusals: Array<[string, () => Promise<string | undefined>, string]> = [
    ['no token', async () => undefined, 'AUTH_TOKEN_MISSING'],
    ['an expired token', () => portalToken(users.teacher, { iat: now() - 600, nbf: now() - 600, exp: now() - 120 }), 'AUTH_TOKEN_EXPIRED'],
    ['a token not yet valid', () => portalToken(users.teacher, { nbf: now() + 300, exp: now() + 600 }), 'AUTH_TOKEN_NOT_YET_VALID'],
    ['a token for another audience', () => portalToken(users.teacher, { aud: 'another-service' }), 'AUTH_TOKEN_WRONG_AUDIENCE'],
    ['a token from another issuer', () => portalToken(users.teacher, { iss: 'another-portal' }), 'AUTH_TOKEN_WRONG_ISSUER'],
    ['a token signed with another secret', () => portalToken(users.teacher, { secret: `${TEST_JWT_SECRET}-not-the-portal` }), 'AUTH_TOKEN_BAD_SIGNATURE'],
    ['an unsigned token (alg none)', async () => unsignedToken(users.teacher), 'AUTH_TOKEN_UNSIGNED'],
    ['an HS256 signature under an RS256 header', () => mislabelledToken(users.teacher), 'AUTH_TOKEN_ALGORITHM_REFUSED'],
  ];

  it('accepts the same forged-token recipe when nothing is wrong (the refusals below are for their defect)', async () => {
    const { status, body } = await me(await portalToken(users.teacher));
    expect(status).toBe(200);
    expect(body).toEqual({ id: '1', name: 'Ana Martínez', role: 'teacher' });
  });

  it.each(refusals)('refuses %s with 401 and its own code', async (_label, makeToken, code) => {
    for (const path of ['/asistencia/api/me', '/minodo-api/me']) {
      const { status, body, response } = await call(`${door.apache.httpUrl}${path}`, await makeToken());
      expect(status, path).toBe(401);
      expect(body.error.code, path).toBe(code);
      expect(body.error.message, path).toMatch(/\S/);
      expect(response.headers['content-type'], path).toMatch(/^application\/json/);
    }
  });
});

describe('a portal logout', () => {
  it('revokes the token the portal issued in that session: the same token is then refused', async () => {
    const { cookie, token } = await signIn(door.apache.httpUrl, 'luis.estudiante');
    expect((await me(token)).status).toBe(200);

    const logout = await portalLogout(door.apache.httpUrl, cookie);
    expect(logout.status).toBe(303);
    expect(logout.headers.location).toBe('/login.php?logged_out=1');

    const after = await me(token);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('AUTH_TOKEN_REVOKED');
    const minodo = await call(`${door.apache.httpUrl}/minodo-api/me`, token);
    expect(minodo.body.error.code).toBe('AUTH_TOKEN_REVOKED');
    // The portal session is over too: no fresh token replaces the revoked one.
    expect((await request(`${door.apache.httpUrl}/token.php`, { headers: { cookie } })).status).toBe(401);
  });

  it('revokes only that session’s tokens', async () => {
    const leaving = await signIn(door.apache.httpUrl, 'maria.estudiante');
    const staying = await signIn(door.apache.httpUrl, 'maria.estudiante');
    expect((await portalLogout(door.apache.httpUrl, leaving.cookie)).status).toBe(303);
    expect((await me(leaving.token)).body.error.code).toBe('AUTH_TOKEN_REVOKED');
    expect((await me(staying.token)).status).toBe(200);
  });
});

describe('roles', () => {
  const draft = () => ({
    courseId: 'MAT101',
    room: 'A-101',
    plannedStart: new Date(Date.now() + 3_600_000).toISOString(),
    plannedEnd: new Date(Date.now() + 7_200_000).toISOString(),
  });

  it('forbids a student a teacher-only route with 403 and creates nothing', async () => {
    const { token } = await signIn(door.apache.httpUrl, 'jose.estudiante');
    const before = await door.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance.sessions');
    for (const base of ['/asistencia/api', '/minodo-api']) {
      const { status, body } = await call(`${door.apache.httpUrl}${base}/sessions`, token, { method: 'POST', body: draft() });
      expect(status, base).toBe(403);
      expect(body.error.code, base).toBe('AUTH_ROLE_FORBIDDEN');
    }
    const after = await door.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance.sessions');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('lets the course’s teacher use the same route with her portal token', async () => {
    const { token } = await signIn(door.apache.httpUrl, 'ana.docente');
    const { status, body } = await call(`${door.apache.httpUrl}/asistencia/api/sessions`, token, { method: 'POST', body: draft() });
    expect(status).toBe(201);
    expect(body).toMatchObject({ courseId: 'MAT101', courseName: 'Cálculo I', teacherId: '1' });
  });
});
