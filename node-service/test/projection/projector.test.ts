import { svgOf } from '../../src/modules/qr-projection/infrastructure/qr-renderer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { liveClaim } from '../support/live-codes.js';
import { startTwoInstances, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { openSocket, type TestSocket } from '../support/ws-client.js';

/**
 * The projector over the authenticated WebSocket, against real PostgreSQL and Valkey: a new code every
 * period, the previous one still scanning within grace, nothing older, codes dead at once on close, only
 * the session's teacher projecting, and one code sequence across two instances.
 */
const PERIOD = 1000;
let pair: Awaited<ReturnType<typeof startTwoInstances>>;
let a: RunningService;
let b: RunningService;

beforeAll(async () => {
  pair = await startTwoInstances({ PUBLIC_URL: 'https://asistencia.example.edu' });
  ({ a, b } = pair);
});
afterAll(() => pair?.stop());

async function runningSession(service: RunningService, overrides: Record<string, unknown> = {}) {
  const teacher = apiAs(service.baseUrl, users.teacher);
  const { body } = await teacher.post('/api/sessions', draftSession({ rotationPeriodMs: PERIOD, ...overrides }));
  await teacher.post(`/api/sessions/${body.id}/open`);
  await teacher.post(`/api/sessions/${body.id}/rounds`);
  return { id: body.id as string, teacher };
}

async function projector(service: RunningService, user: { sub: string; role: string; name: string } = users.teacher): Promise<TestSocket> {
  const socket = await openSocket(`${service.baseUrl.replace('http', 'ws')}/asistencia/ws`);
  socket.send({ type: 'auth', token: await portalToken(user) });
  await socket.next('auth.ok');
  return socket;
}

/** Service and test share this machine's clock. */
const untilServerTime = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now() + 5)));

const live = (service: RunningService, token: string) => liveClaim(service, token, { periodMs: PERIOD, graceMs: PERIOD });

describe('projector', () => {
  it('gets the current code at once, then a new one every period', async () => {
    const { id } = await runningSession(a);
    const socket = await projector(a);
    // As the projector page does: it draws the code itself.
    socket.send({ type: 'projector.draws' });
    socket.send({ type: 'projector.subscribe', sessionId: id });
    const state = await socket.next('projector.state');
    expect(state.session).toMatchObject({ id, courseName: 'Cálculo I', room: 'Aula 204', state: 'open', currentRound: 1, roundsPlanned: 2 });
    expect(state.count).toEqual({ round: 1, confirmed: 0, expected: 3 });

    const frames = [await socket.next('qr'), await socket.next('qr', 2500), await socket.next('qr', 2500)];
    const slots = frames.map((f) => f.slot as number);
    expect(slots[1]).toBe(slots[0]! + 1);
    expect(slots[2]).toBe(slots[1]! + 1);
    expect(new Set(frames.map((f) => f.url)).size).toBe(3);
    for (const frame of frames) {
      expect(frame.url).toMatch(/^https:\/\/asistencia\.example\.edu\/asistencia\/scan\/#[\w-]{22}$/);
      // The page draws the code from the URL: the frame carries no picture.
      expect(frame).not.toHaveProperty('svg');
      expect(frame).toMatchObject({ sessionId: id, round: 1, periodMs: PERIOD, count: { round: 1, confirmed: 0, expected: 3 } });
      expect(frame.expiresAt).toBe((frame.slot as number) * PERIOD + 2 * PERIOD);
    }
    // Rotations land on the slot boundaries of the server clock.
    expect((frames[1]!.serverTime as number) - (frames[1]!.slotStartsAt as number)).toBeLessThan(PERIOD);
    socket.close();
  });

  it('sends a picture of the code to a projector page from before pages drew their own (left open across an upgrade)', async () => {
    const { id } = await runningSession(a);
    const socket = await projector(a);
    socket.send({ type: 'projector.subscribe', sessionId: id });
    const frames = [await socket.next('qr'), await socket.next('qr', 2500)];
    for (const frame of frames) expect(frame.svg).toBe(svgOf(frame.url as string));
    socket.close();
  });

  it('keeps the previous code scanning within grace and refuses the one before', async () => {
    const { id } = await runningSession(a);
    const socket = await projector(a);
    socket.send({ type: 'projector.subscribe', sessionId: id });
    const first = await socket.next('qr');
    const second = await socket.next('qr', 2500);
    expect(second.slot).toBe((first.slot as number) + 1);
    const token = (frame: Record<string, unknown>) => String(frame.url).split('#')[1]!;
    // Delivered ahead of its slot, a code does not scan before the slot starts.
    if (Date.now() < (second.slotStartsAt as number)) expect(await live(a, token(second))).toBeNull();
    await untilServerTime(second.slotStartsAt as number);
    expect(await live(a, token(first))).toMatchObject({ sessionId: id, round: 1, slot: first.slot });
    expect(await live(a, token(second))).not.toBeNull();
    await untilServerTime(second.nextRotationAt as number);
    expect(await live(a, token(first))).toBeNull();
    expect(await live(a, token(second))).not.toBeNull();
    expect(await live(a, 'made-up-token-000000000')).toBeNull();
    socket.close();
  });

  it('kills the codes at once when the session closes, and says so', async () => {
    const { id, teacher } = await runningSession(a);
    const socket = await projector(a);
    socket.send({ type: 'projector.subscribe', sessionId: id });
    await socket.next('projector.state');
    const frame = await socket.next('qr');
    const token = String(frame.url).split('#')[1]!;
    expect(await live(a, token)).not.toBeNull();
    await teacher.post(`/api/sessions/${id}/close`);
    expect(await live(a, token)).toBeNull();
    const closed = await socket.next('projector.state');
    expect(closed.session).toMatchObject({ state: 'closed', currentRound: null });
    socket.drain();
    await new Promise((resolve) => setTimeout(resolve, 2 * PERIOD));
    expect(socket.drain().filter((message) => message.type === 'qr')).toEqual([]);
    socket.close();
  });

  it('ending a round kills its codes; the next round gets new ones', async () => {
    const { id, teacher } = await runningSession(a);
    const socket = await projector(a);
    socket.send({ type: 'projector.subscribe', sessionId: id });
    await socket.next('projector.state');
    const frame = await socket.next('qr');
    await teacher.post(`/api/sessions/${id}/rounds/current/end`);
    expect(await live(a, String(frame.url).split('#')[1]!)).toBeNull();
    expect((await socket.next('projector.state')).session).toMatchObject({ currentRound: null });
    // Frames of round 1 that arrived before the round ended may still be unread.
    socket.drain('qr');
    await teacher.post(`/api/sessions/${id}/rounds`);
    const next = await socket.next('qr');
    expect(next.round).toBe(2);
    socket.close();
  });

  it('refuses a student and another teacher, each with its own code', async () => {
    const { id } = await runningSession(a);
    const student = await projector(a, users.student);
    student.send({ type: 'projector.subscribe', sessionId: id });
    expect(await student.next('error')).toMatchObject({ code: 'AUTH_ROLE_FORBIDDEN', inReplyTo: 'projector.subscribe' });
    const other = await projector(a, users.otherTeacher);
    other.send({ type: 'projector.subscribe', sessionId: id });
    expect(await other.next('error')).toMatchObject({ code: 'SESSION_NOT_YOURS' });
    await expect(student.next('qr', 300)).rejects.toThrow();
    await expect(other.next('qr', 10)).rejects.toThrow();
    const admin = await projector(a, users.admin);
    admin.send({ type: 'projector.subscribe', sessionId: id });
    expect((await admin.next('qr')).sessionId).toBe(id);
    for (const s of [student, other, admin]) s.close();
  });

  it('validates messages: a malformed session id is refused and nothing is projected', async () => {
    const socket = await projector(a);
    socket.send({ type: 'projector.subscribe', sessionId: 'nope' });
    expect((await socket.next('error')).code).toBe('WS_MESSAGE_INVALID');
    socket.close();
  });

  it('never hands the code out through the API', async () => {
    const { id, teacher } = await runningSession(a);
    const socket = await projector(a);
    socket.send({ type: 'projector.subscribe', sessionId: id });
    const token = String((await socket.next('qr')).url).split('#')[1]!;
    const overview = await teacher.get(`/api/sessions/${id}`);
    const list = await teacher.get('/api/sessions');
    expect(JSON.stringify(overview.body)).not.toContain(token);
    expect(JSON.stringify(list.body)).not.toContain(token);
    socket.close();
  });
});

describe('two instances sharing Valkey and PostgreSQL', () => {
  it('show one code sequence, and a projector reconnecting to the other instance gets the current code at once', async () => {
    const { id } = await runningSession(a);
    const onA = await projector(a);
    const onB = await projector(b);
    onA.send({ type: 'projector.subscribe', sessionId: id });
    onB.send({ type: 'projector.subscribe', sessionId: id });
    const seen = new Map<number, Set<string>>();
    for (let i = 0; i < 3; i += 1) {
      for (const frame of [await onA.next('qr', 2500), await onB.next('qr', 2500)]) {
        const urls = seen.get(frame.slot as number) ?? new Set<string>();
        urls.add(String(frame.url));
        seen.set(frame.slot as number, urls);
      }
    }
    for (const [slot, urls] of seen) expect(urls.size, `slot ${slot}`).toBe(1);

    onB.close();
    const again = await projector(b);
    again.send({ type: 'projector.subscribe', sessionId: id });
    const immediate = await again.next('qr', 500);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const afterwards = [immediate, ...again.drain().filter((m) => m.type === 'qr')];
    for (const frame of [...onA.drain().filter((m) => m.type === 'qr'), ...afterwards]) {
      const urls = seen.get(frame.slot as number) ?? new Set<string>();
      urls.add(String(frame.url));
      seen.set(frame.slot as number, urls);
    }
    for (const [slot, urls] of seen) expect(urls.size, `slot ${slot} after reconnecting`).toBe(1);
    onA.close();
    again.close();
  });

  it('a round started through one instance reaches the projector on the other', async () => {
    const teacher = apiAs(b.baseUrl, users.teacher);
    const { body } = await teacher.post('/api/sessions', draftSession({ rotationPeriodMs: PERIOD }));
    await teacher.post(`/api/sessions/${body.id}/open`);
    const onA = await projector(a);
    onA.send({ type: 'projector.subscribe', sessionId: body.id });
    expect((await onA.next('projector.state')).session).toMatchObject({ currentRound: null });
    await expect(onA.next('qr', 300)).rejects.toThrow();
    await teacher.post(`/api/sessions/${body.id}/rounds`);
    const frame = await onA.next('qr', 1000);
    expect(frame.round).toBe(1);
    onA.close();
  });
});
