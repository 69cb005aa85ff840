import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { openSocket } from '../support/ws-client.js';

/** `/asistencia/ws` authenticates with its first message, never with a token in the URL. */
let service: RunningService;

beforeAll(async () => {
  service = await startService({ env: { WS_AUTH_TIMEOUT_MS: '400' } });
});
afterAll(() => service?.stop());

const wsUrl = (query = '') => `${service.baseUrl.replace('http', 'ws')}/asistencia/ws${query}`;

describe('WebSocket authentication', () => {
  it('accepts a valid token in the first message and then answers', async () => {
    const socket = await openSocket(wsUrl());
    socket.send({ type: 'auth', token: await portalToken(users.teacher) });
    const ok = await socket.next('auth.ok');
    expect(ok.identity).toEqual({ id: '1', name: 'Ana Martínez', role: 'teacher' });
    socket.send({ type: 'ping' });
    expect((await socket.next('pong')).serverTime).toEqual(expect.any(Number));
    socket.close();
  });

  it('closes with 4408 when no auth message arrives in time', async () => {
    const socket = await openSocket(wsUrl());
    expect(await socket.closed).toEqual({ code: 4408, reason: 'AUTH_TIMEOUT' });
  });

  it('ignores a token in the URL: the socket must still authenticate by message', async () => {
    const token = await portalToken(users.teacher);
    const socket = await openSocket(wsUrl(`?token=${token}`));
    socket.send({ type: 'ping' });
    expect(await socket.closed).toEqual({ code: 4400, reason: 'AUTH_EXPECTED' });
  });

  it('closes with 4401 and the error code for a refused token', async () => {
    const socket = await openSocket(wsUrl());
    socket.send({ type: 'auth', token: await portalToken(users.student, { aud: 'elsewhere' }) });
    const error = await socket.next('error');
    expect(error.code).toBe('AUTH_TOKEN_WRONG_AUDIENCE');
    expect(await socket.closed).toEqual({ code: 4401, reason: 'AUTH_TOKEN_WRONG_AUDIENCE' });
  });

  it('speaks the page’s language when the auth message names one', async () => {
    const socket = await openSocket(wsUrl());
    socket.send({ type: 'auth', token: await portalToken(users.student, { iss: 'elsewhere' }), lang: 'en' });
    expect((await socket.next('error')).message).toMatch(/not issued by the portal/);
    const spanish = await openSocket(wsUrl());
    spanish.send({ type: 'auth', token: await portalToken(users.student, { iss: 'elsewhere' }) });
    expect((await spanish.next('error')).message).toMatch(/no lo emitió el portal/);
  });

  it('closes with 4400 when the first message is not JSON', async () => {
    const socket = await openSocket(wsUrl());
    socket.send('hello');
    expect((await socket.closed).code).toBe(4400);
  });

  it('answers invalid and unknown messages with an error and stays open', async () => {
    const socket = await openSocket(wsUrl());
    socket.send({ type: 'auth', token: await portalToken(users.student) });
    await socket.next('auth.ok');
    socket.send({ kind: 'nothing' });
    expect((await socket.next('error')).code).toBe('WS_MESSAGE_INVALID');
    socket.send({ type: 'launch.rockets' });
    expect(await socket.next('error')).toMatchObject({ code: 'WS_UNKNOWN_TYPE', inReplyTo: 'launch.rockets' });
    socket.send({ type: 'ping' });
    await socket.next('pong');
    socket.close();
  });

  it('accepts a fresh token for the same user and refuses one for another user', async () => {
    const socket = await openSocket(wsUrl());
    socket.send({ type: 'auth', token: await portalToken(users.student) });
    await socket.next('auth.ok');
    socket.send({ type: 'auth', token: await portalToken(users.student) });
    await socket.next('auth.ok');
    socket.send({ type: 'auth', token: await portalToken(users.student2) });
    expect((await socket.next('error')).code).toBe('WS_IDENTITY_CHANGED');
    socket.close();
  });

  it('closes a message larger than the limit (1009)', async () => {
    const socket = await openSocket(wsUrl());
    socket.send({ type: 'auth', token: 'x'.repeat(10_000) });
    expect((await socket.closed).code).toBe(1009);
  });
});
