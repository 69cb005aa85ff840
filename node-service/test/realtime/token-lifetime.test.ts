import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwoInstances, type RunningService } from '../support/service.js';
import { steppedClock } from '../support/stepped-clock.js';
import { portalToken, users, type TokenOverrides } from '../support/tokens.js';
import { openSocket, type TestSocket } from '../support/ws-client.js';

/**
 * A socket's authentication lasts until its token's `exp` and no longer, unless the page sends a fresher
 * token first; a revoked `jti` (portal logout) closes its sockets on every instance. Two instances sharing
 * real PostgreSQL and Valkey, and one token clock the test steps past an `exp` instead of waiting for it.
 * Checked once by removing each defence (the expiry timer; the revocation announcement; the tracking of a
 * socket's earlier tokens): the matching test fails.
 */
const INTERNAL = 'internal-credential-for-tests-0123456789';
let pair: Awaited<ReturnType<typeof startTwoInstances>>;
let a: RunningService;
let b: RunningService;

const clock = steppedClock();

beforeAll(async () => {
  pair = await startTwoInstances({ INTERNAL_API_TOKEN: INTERNAL }, { tokenClock: clock });
  ({ a, b } = pair);
});
afterAll(() => pair?.stop());

/** Now on the instances' token clock; the tokens below are dated on it. */
const nowSeconds = () => Math.floor(clock.now() / 1000);
/** The teacher's portal token, issued now on the token clock (valid 300 s unless `overrides` say otherwise). */
const teacherToken = (overrides: TokenOverrides = {}) => {
  const iat = nowSeconds();
  return portalToken(users.teacher, { iat, nbf: iat, exp: iat + 300, ...overrides });
};

async function signedIn(service: RunningService, token: string): Promise<TestSocket & { authOk: Record<string, unknown> }> {
  const socket = await openSocket(`${service.baseUrl.replace('http', 'ws')}/asistencia/ws`);
  socket.send({ type: 'auth', token });
  return Object.assign(socket, { authOk: await socket.next('auth.ok') });
}

const revoke = (service: RunningService, jti: string, exp: number) =>
  fetch(`${service.baseUrl}/asistencia/internal/revocations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTERNAL}`, 'content-type': 'application/json' },
    body: JSON.stringify({ jti, exp }),
  });

/** When the socket closed, on the token clock, and how. */
const closedAt = (socket: TestSocket) => socket.closed.then((closed) => ({ ...closed, at: clock.now() }));

describe('a socket ends with its token', () => {
  it('says when, and closes at `exp` with 4401 AUTH_TOKEN_EXPIRED when no fresher token came', async () => {
    const exp = nowSeconds() + 300;
    const socket = await signedIn(a, await teacherToken({ exp }));
    expect(socket.authOk.expiresAt).toBe(exp * 1000);
    const closing = closedAt(socket);
    clock.advanceTo(exp * 1000 - 1000);
    socket.send({ type: 'ping' });
    await socket.next('pong');
    clock.advanceTo(exp * 1000);
    const closed = await closing;
    expect(closed).toMatchObject({ code: 4401, reason: 'AUTH_TOKEN_EXPIRED' });
    expect(closed.at).toBeGreaterThanOrEqual(exp * 1000);
    expect(closed.at).toBeLessThan(exp * 1000 + 2000);
    expect(socket.drain('error')).toEqual([expect.objectContaining({ code: 'AUTH_TOKEN_EXPIRED' })]);
  });

  it('stays open past the first `exp` when re-authenticated with a fresh token before it', async () => {
    const exp = nowSeconds() + 300;
    const socket = await signedIn(a, await teacherToken({ exp }));
    const later = exp + 300;
    socket.send({ type: 'auth', token: await teacherToken({ exp: later }) });
    expect((await socket.next('auth.ok')).expiresAt).toBe(later * 1000);
    clock.advanceTo(exp * 1000 + 1500);
    socket.send({ type: 'ping' });
    await socket.next('pong');
    socket.close();
  });

  it('refuses a token whose `exp` has passed, although the verifier tolerates some clock skew', async () => {
    const socket = await openSocket(`${a.baseUrl.replace('http', 'ws')}/asistencia/ws`);
    socket.send({ type: 'auth', token: await teacherToken({ exp: nowSeconds() - 5, iat: nowSeconds() - 60, nbf: nowSeconds() - 60 }) });
    expect(await socket.closed).toEqual({ code: 4401, reason: 'AUTH_TOKEN_EXPIRED' });
    expect(socket.drain('auth.ok')).toEqual([]);
  });

  it('keeps its current authentication when a fresh token is refused', async () => {
    const socket = await signedIn(a, await teacherToken());
    socket.send({ type: 'auth', token: await teacherToken({ aud: 'elsewhere' }) });
    expect(await socket.next('error')).toMatchObject({ code: 'AUTH_TOKEN_WRONG_AUDIENCE', inReplyTo: 'auth' });
    socket.send({ type: 'ping' });
    await socket.next('pong');
    socket.close();
  });
});

describe('a revoked token closes its sockets', () => {
  it('on both instances within a second (4401 AUTH_TOKEN_REVOKED), and no other socket', async () => {
    const exp = nowSeconds() + 300;
    const jti = `logout-${Date.now()}`;
    const token = await teacherToken({ jti, exp });
    const onA = await signedIn(a, token);
    const onB = await signedIn(b, token);
    const bystander = await signedIn(b, await teacherToken());
    const closes = [closedAt(onA), closedAt(onB)];

    const sentAt = clock.now();
    expect((await revoke(a, jti, exp)).status).toBe(204);
    for (const closed of await Promise.all(closes)) {
      expect(closed).toMatchObject({ code: 4401, reason: 'AUTH_TOKEN_REVOKED' });
      expect(closed.at - sentAt).toBeLessThan(1000);
    }
    bystander.send({ type: 'ping' });
    await bystander.next('pong');
    bystander.close();

    // And the token opens nothing any more.
    const again = await openSocket(`${b.baseUrl.replace('http', 'ws')}/asistencia/ws`);
    again.send({ type: 'auth', token });
    expect(await again.closed).toEqual({ code: 4401, reason: 'AUTH_TOKEN_REVOKED' });
  });

  it('also when it revokes a token the socket was authenticated with before a fresher one', async () => {
    const exp = nowSeconds() + 300;
    const jti = `first-${Date.now()}`;
    const socket = await signedIn(b, await teacherToken({ jti, exp }));
    socket.send({ type: 'auth', token: await teacherToken() });
    await socket.next('auth.ok');
    const closed = closedAt(socket);
    expect((await revoke(a, jti, exp)).status).toBe(204);
    expect(await closed).toMatchObject({ code: 4401, reason: 'AUTH_TOKEN_REVOKED' });
  });
});
