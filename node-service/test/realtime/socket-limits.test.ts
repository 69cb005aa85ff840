import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { openSocket, type TestSocket } from '../support/ws-client.js';

/**
 * A user, and a client address, may hold only so many open sockets (WS_MAX_PER_USER, WS_MAX_PER_ADDRESS):
 * one token cannot hold hundreds of tunnels through the door. Real service, PostgreSQL and Valkey.
 * Checked once by removing each ceiling from the gateway: the matching test fails.
 */
let service: RunningService;

beforeAll(async () => {
  service = await startService({ env: { WS_MAX_PER_USER: '2', WS_MAX_PER_ADDRESS: '3' } });
});
afterAll(() => service?.stop());

/** The client address Apache forwards (the service trusts 127.0.0.1's X-Forwarded-For). */
const socketFrom = (address: string) =>
  openSocket(`${service.baseUrl.replace('http', 'ws')}/asistencia/ws`, { headers: { 'x-forwarded-for': address } });

async function signedIn(user: { sub: string; role: string; name: string }, address: string): Promise<TestSocket> {
  const socket = await socketFrom(address);
  socket.send({ type: 'auth', token: await portalToken(user) });
  await socket.next('auth.ok');
  return socket;
}

/** Tries until the server has counted the closed socket out (its close is seen a moment later). */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('sockets per user (WS_MAX_PER_USER)', () => {
  it('refuses the user’s socket past the ceiling with 4429, and not another user’s', async () => {
    const held = [await signedIn(users.teacher, '198.51.100.1'), await signedIn(users.teacher, '198.51.100.2')];
    const third = await socketFrom('198.51.100.3');
    third.send({ type: 'auth', token: await portalToken(users.teacher), lang: 'en' });
    expect(await third.next('error')).toMatchObject({ code: 'WS_TOO_MANY_FOR_USER', message: expect.stringMatching(/too many open connections \(2\)/) });
    expect(await third.closed).toEqual({ code: 4429, reason: 'WS_TOO_MANY_FOR_USER' });

    const student = await signedIn(users.student, '198.51.100.3');
    student.send({ type: 'ping' });
    await student.next('pong');

    held[0]!.close();
    const again = await eventually(() => signedIn(users.teacher, '198.51.100.4'));
    for (const socket of [held[1]!, student, again]) socket.close();
  });
});

describe('sockets per client address (WS_MAX_PER_ADDRESS)', () => {
  it('closes the address’s socket past the ceiling at once, even before it authenticates', async () => {
    const held = await Promise.all([1, 2, 3].map(() => socketFrom('203.0.113.7')));
    const fourth = await socketFrom('203.0.113.7');
    expect(await fourth.next('error')).toMatchObject({ code: 'WS_TOO_MANY_FOR_ADDRESS' });
    expect(await fourth.closed).toEqual({ code: 4429, reason: 'WS_TOO_MANY_FOR_ADDRESS' });

    // Another address is not held back by the first one's sockets.
    const elsewhere = await signedIn(users.student2, '203.0.113.8');

    held[0]!.close();
    const again = await eventually(async () => {
      const socket = await socketFrom('203.0.113.7');
      socket.send({ type: 'auth', token: await portalToken(users.student3) });
      await socket.next('auth.ok');
      return socket;
    });
    for (const socket of [...held.slice(1), elsewhere, again]) socket.close();
  });

  it('counts a socket closed by its auth timeout out again', async () => {
    const quick = await startService({ env: { WS_MAX_PER_ADDRESS: '1', WS_AUTH_TIMEOUT_MS: '300' } });
    try {
      const url = `${quick.baseUrl.replace('http', 'ws')}/asistencia/ws`;
      const silent = await openSocket(url);
      expect(await silent.closed).toEqual({ code: 4408, reason: 'AUTH_TIMEOUT' });
      const next = await eventually(async () => {
        const socket = await openSocket(url);
        socket.send({ type: 'auth', token: await portalToken(users.admin) });
        await socket.next('auth.ok');
        return socket;
      });
      next.close();
    } finally {
      await quick.stop();
    }
  });
});
