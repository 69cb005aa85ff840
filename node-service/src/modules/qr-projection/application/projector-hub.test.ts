import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveCount, Session, SessionEvents } from '../../attendance/index.js';
import type { Connection, ServerMessage } from '../../realtime/index.js';
import { createProjectorHub, type ProjectionSessions } from './projector-hub.js';
import type { CodeStore } from './ports.js';

// The hub's bookkeeping with tiny fakes whose answers the test releases by hand, so the moments a real
// socket may drop (while the session is read, while the channel opens) are hit every time. Checked by
// removing, one at a time, the hub's closed check, its left-while-opening check, its forgetting of a failed
// channel, its unsubscribe of a channel ended while opening, its once-per-outage report and its refresh
// after an outage, its check for lost Valkey data: the matching test fails each time.

const SESSION_ID = '6f1c1d2e-0000-4000-8000-000000000001';
const session: Session = {
  id: SESSION_ID,
  courseId: 'MAT101',
  courseName: 'Cálculo I',
  teacherId: '1',
  room: 'Aula 204',
  plannedStart: new Date(),
  plannedEnd: new Date(),
  state: 'open',
  openedAt: new Date(),
  closedAt: null,
  roundsStarted: 1,
  currentRound: 1,
  seriesId: null,
  roundsPlanned: 2,
  rotationPeriodMs: 1000,
  graceMs: 1000,
  lateAfterMinutes: 15,
  allowedNetworks: [],
  fallbackCodeEnabled: false,
  rosterPolicy: 'refuse',
};
const count: LiveCount = { round: 1, confirmed: 0, expected: 3 };

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

function fakes() {
  const authorizing: Array<ReturnType<typeof deferred<Session>>> = [];
  const subscribing: Array<ReturnType<typeof deferred<() => Promise<void>>>> = [];
  const listening = new Set<string>();
  const reports: string[] = [];
  let codesFail = false;
  // Valkey's data: lost by `flush`, after which the same slot gets another token.
  let generation = 0;
  let lost = false;
  // The session as PostgreSQL has it now (a round may start after `authorize` read it).
  let current = session;
  const sessions: ProjectionSessions = {
    authorize: () => {
      const pending = deferred<Session>();
      authorizing.push(pending);
      return pending.promise;
    },
    find: async () => current,
    liveCount: async () => count,
  };
  const events: SessionEvents = {
    publish: async () => undefined,
    subscribe: (sessionId) => {
      const pending = deferred<() => Promise<void>>();
      subscribing.push(pending);
      return pending.promise.then((stop) => {
        listening.add(sessionId);
        return async () => {
          listening.delete(sessionId);
          await stop();
        };
      });
    },
  };
  const codes: CodeStore = {
    ensure: async (claim) => {
      if (codesFail) throw new Error('valkey down');
      return { token: `token-${claim.slot}${generation ? `-${generation}` : ''}`, fallbackCode: null };
    },
    resolve: async () => null,
    resolveFallback: async () => null,
    intact: async () => {
      const intact = !lost;
      lost = false;
      return intact;
    },
    invalidate: async () => undefined,
  };
  const hub = createProjectorHub({
    sessions,
    events,
    codes,
    scanUrl: (token) => `https://example.edu/asistencia/scan/#${token}`,
    picture: (text: string) => `<svg>${text}</svg>`,
    maxPerConnection: 4,
    fallbackTtlMs: 20_000,
    report: (_error, context) => void reports.push(context),
    lossCheckMs: 500,
  });
  return {
    hub,
    authorizing,
    subscribing,
    listening,
    reports,
    failCodes: (fail: boolean) => void (codesFail = fail),
    changeSession: (changed: Session) => void (current = changed),
    flush: () => {
      generation += 1;
      lost = true;
    },
  };
}

function connection(id: string) {
  const sent: ServerMessage[] = [];
  const cleanups: Array<() => void | Promise<void>> = [];
  let closed = false;
  const conn: Connection = {
    id,
    identity: { id: '1', name: 'Ana', role: 'teacher' },
    locale: 'es',
    send: (message) => void sent.push(message),
    get closed() {
      return closed;
    },
    onClose: (cleanup) => (closed ? void cleanup() : void cleanups.push(cleanup)),
  };
  return {
    conn,
    sent,
    close: async () => {
      closed = true;
      for (const cleanup of cleanups.splice(0)) await cleanup();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => vi.useRealTimers());

describe('projector hub', () => {
  it('starts nothing for a socket closed while the session was read', async () => {
    const { hub, authorizing, subscribing, listening } = fakes();
    const projector = connection('a');
    const subscribed = hub.subscribe(projector.conn, SESSION_ID);
    await projector.close();
    authorizing[0]!.resolve(session);
    await subscribed;
    expect(subscribing).toHaveLength(0);
    expect([hub.projectedSessions, hub.plannedRotations, listening.size]).toEqual([0, 0, 0]);
  });

  it('stops listening and plans nothing for a socket closed while its channel opened', async () => {
    const { hub, authorizing, subscribing, listening } = fakes();
    const projector = connection('a');
    const subscribed = hub.subscribe(projector.conn, SESSION_ID);
    authorizing[0]!.resolve(session);
    await settle();
    await projector.close();
    subscribing[0]!.resolve(async () => undefined);
    await subscribed;
    await settle();
    expect([hub.projectedSessions, hub.plannedRotations, listening.size]).toEqual([0, 0, 0]);
    expect(projector.sent).toEqual([]);
  });

  it('projects a round that started after the session was read and before the channel listened', async () => {
    const { hub, authorizing, subscribing, changeSession } = fakes();
    const projector = connection('a');
    const subscribed = hub.subscribe(projector.conn, SESSION_ID);
    authorizing[0]!.resolve({ ...session, roundsStarted: 0, currentRound: null });
    await settle();
    // The round starts now: its announcement goes out while the channel is not listening yet.
    changeSession(session);
    subscribing[0]!.resolve(async () => undefined);
    await subscribed;
    expect(projector.sent.map((m) => m.type)).toEqual(['projector.state', 'qr']);
    expect(projector.sent[0]).toMatchObject({ session: { currentRound: 1 } });
    await projector.close();
  });

  it('forgets a channel that failed to open, so the next subscribe opens it afresh', async () => {
    const { hub, authorizing, subscribing, listening } = fakes();
    const projector = connection('a');
    const first = hub.subscribe(projector.conn, SESSION_ID);
    authorizing[0]!.resolve(session);
    await settle();
    subscribing[0]!.reject(new Error('valkey down'));
    await expect(first).rejects.toThrow('valkey down');
    expect(hub.projectedSessions).toBe(0);

    const second = hub.subscribe(projector.conn, SESSION_ID);
    authorizing[1]!.resolve(session);
    await settle();
    subscribing[1]!.resolve(async () => undefined);
    await second;
    expect(listening.has(SESSION_ID)).toBe(true);
    expect(projector.sent.map((m) => m.type)).toEqual(['projector.state', 'qr']);
    expect(hub.plannedRotations).toBe(1);
    await projector.close();
    expect([hub.projectedSessions, hub.plannedRotations, listening.size]).toEqual([0, 0, 0]);
  });

  it('answers a repeated subscribe with the state and the current code again', async () => {
    const { hub, authorizing, subscribing } = fakes();
    const projector = connection('a');
    const first = hub.subscribe(projector.conn, SESSION_ID);
    authorizing[0]!.resolve(session);
    await settle();
    subscribing[0]!.resolve(async () => undefined);
    await first;
    const again = hub.subscribe(projector.conn, SESSION_ID);
    authorizing[1]!.resolve(session);
    await again;
    expect(projector.sent.map((m) => m.type)).toEqual(['projector.state', 'qr', 'projector.state', 'qr']);
    await projector.close();
  });

  it('reports failing rotations once per outage, keeps trying, and reads the session again after', async () => {
    vi.useFakeTimers();
    const { hub, authorizing, subscribing, reports, failCodes } = fakes();
    const projector = connection('a');
    const subscribed = hub.subscribe(projector.conn, SESSION_ID);
    authorizing[0]!.resolve(session);
    await vi.advanceTimersByTimeAsync(0);
    subscribing[0]!.resolve(async () => undefined);
    await subscribed;
    failCodes(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(reports).toEqual(['rotation failed (reported again only after one succeeds)']);
    failCodes(false);
    const before = projector.sent.length;
    await vi.advanceTimersByTimeAsync(1000);
    // Codes again, and the state read afresh: events published during the outage were lost.
    expect(projector.sent.slice(before).map((m) => m.type)).toEqual(expect.arrayContaining(['qr', 'projector.state']));
    failCodes(true);
    await vi.advanceTimersByTimeAsync(2000);
    expect(reports).toHaveLength(2);
    await projector.close();
    expect(hub.plannedRotations).toBe(0);
  });

  it('sends a new code for the slot on screen within PROJECTION_LOSS_CHECK_MS of Valkey losing its data', async () => {
    vi.useFakeTimers();
    // At a slot's start: the next slot's frame is not delivered ahead yet (that comes a quarter period on at the earliest).
    vi.setSystemTime(Math.ceil(Date.now() / 30_000) * 30_000);
    const { hub, authorizing, subscribing, flush, changeSession } = fakes();
    const projector = connection('a');
    const subscribed = hub.subscribe(projector.conn, SESSION_ID);
    // A long period: no rotation comes in the half second that follows.
    const long = { ...session, rotationPeriodMs: 30_000 };
    changeSession(long);
    authorizing[0]!.resolve(long);
    await vi.advanceTimersByTimeAsync(0);
    subscribing[0]!.resolve(async () => undefined);
    await subscribed;
    const shown = projector.sent.filter((m) => m.type === 'qr').at(-1) as unknown as { slot: number; url: string };
    await vi.advanceTimersByTimeAsync(500);
    const before = projector.sent.length;

    flush();
    await vi.advanceTimersByTimeAsync(500);
    const sent = projector.sent.slice(before) as unknown as Array<{ type: string; slot?: number; url?: string }>;
    expect(sent.map((m) => [m.type, m.slot, m.url])).toEqual([['qr', shown.slot, shown.url.replace(`token-${shown.slot}`, `token-${shown.slot}-1`)]]);
    // Nothing lost: nothing sent again.
    await vi.advanceTimersByTimeAsync(500);
    expect(projector.sent.length).toBe(before + 1);
    await projector.close();
  });
});
