import { assertRole, type Identity } from '../../auth/index.js';
import type { LiveCount, Session, SessionEvent, SessionEvents } from '../../attendance/index.js';
import type { Connection, ServerMessage } from '../../realtime/index.js';
import { projectionErrors } from '../domain/errors.js';
import { expiresAt, fallbackExpiresAt, slotAt, slotStartsAt } from '../domain/rotation.js';
import type { CodeStore, QrRenderer } from './ports.js';

export interface ProjectionSessions {
  /** The session, if `actor` may project it (throws SESSION_NOT_FOUND / SESSION_NOT_YOURS otherwise). */
  authorize(actor: Identity, sessionId: string): Promise<Session>;
  find(sessionId: string): Promise<Session | null>;
  liveCount(sessionId: string): Promise<LiveCount>;
}

export type QrFrame = {
  type: 'qr';
  sessionId: string;
  round: number;
  slot: number;
  url: string;
  svg: string;
  fallbackCode: string | null;
  serverTime: number;
  slotStartsAt: number;
  expiresAt: number;
  nextRotationAt: number;
  periodMs: number;
  count: LiveCount;
};

interface Channel {
  session: Session;
  count: LiveCount;
  projectors: Set<Connection>;
  timer: NodeJS.Timeout | undefined;
  /** The frames made for this round, by slot: the current one and the one delivered ahead. */
  frames: Map<number, QrFrame>;
  /** Where in each slot the next slot's frame is made and delivered, as a share of the period. */
  lead: number;
  stopListening: () => Promise<void>;
}

/**
 * A frame is made and delivered during the slot before its own, at a point spread by session between a
 * quarter and three quarters of the period, so a thousand sessions do not all render at the boundary; the
 * projector shows it from `slotStartsAt` on the server's clock. A code delivered ahead does not scan
 * before its slot starts (see domain/rotation.ts), so nothing is given away early.
 */
function leadShare(sessionId: string): number {
  let hash = 0;
  for (const char of sessionId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 0.25 + (hash % 1000) / 2000;
}

/**
 * Serves the projectors connected to this instance: one channel per projected session, rotated on the slot
 * boundaries of the server clock. Codes come from the shared CodeStore, so projectors of the same session
 * on other instances show the same code; state and counts arrive as session events from any instance.
 */
export function createProjectorHub(deps: {
  sessions: ProjectionSessions;
  events: SessionEvents;
  codes: CodeStore;
  renderer: QrRenderer;
  scanUrl: (token: string) => string;
  maxPerConnection: number;
  /** How long a typed fallback code leads to a challenge, from its slot's start (FALLBACK_CODE_TTL_SECONDS). */
  fallbackTtlMs: number;
  /** Where a failed rotation or refresh is reported (a timer has no caller to throw to). */
  report: (error: unknown, context: string) => void;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const channels = new Map<string, Promise<Channel>>();
  const watching = new Map<string, Set<string>>();

  const stateMessage = (channel: Channel) => ({
    type: 'projector.state',
    session: {
      id: channel.session.id,
      courseName: channel.session.courseName,
      room: channel.session.room,
      state: channel.session.state,
      currentRound: channel.session.currentRound,
      roundsStarted: channel.session.roundsStarted,
      roundsPlanned: channel.session.roundsPlanned,
      periodMs: channel.session.rotationPeriodMs,
      fallbackCodeEnabled: channel.session.fallbackCodeEnabled,
    },
    count: channel.count,
  });

  const broadcast = (channel: Channel, message: ServerMessage) => {
    for (const projector of channel.projectors) projector.send(message);
  };

  async function frameFor(channel: Channel, slot: number): Promise<QrFrame | undefined> {
    const { session } = channel;
    if (session.state !== 'open' || session.currentRound === null) return undefined;
    const round = session.currentRound;
    const made = channel.frames.get(slot);
    if (made?.round === round) return { ...made, count: channel.count };
    const rotation = { periodMs: session.rotationPeriodMs, graceMs: session.graceMs };
    const ttlMs = Math.max(1, expiresAt(slot, rotation) - now());
    const fallbackTtlMs = session.fallbackCodeEnabled ? Math.max(1, fallbackExpiresAt(slot, rotation, deps.fallbackTtlMs) - now()) : null;
    const code = await deps.codes.ensure({ sessionId: session.id, round, slot }, ttlMs, fallbackTtlMs);
    if (!code) return undefined;
    const url = deps.scanUrl(code.token);
    const frame: QrFrame = {
      type: 'qr',
      sessionId: session.id,
      round,
      slot,
      url,
      svg: await deps.renderer.svg(url),
      fallbackCode: code.fallbackCode,
      serverTime: now(),
      slotStartsAt: slotStartsAt(slot, rotation.periodMs),
      expiresAt: expiresAt(slot, rotation),
      nextRotationAt: slotStartsAt(slot + 1, rotation.periodMs),
      periodMs: rotation.periodMs,
      count: channel.count,
    };
    for (const old of channel.frames.keys()) if (old < slot - 1 || channel.frames.get(old)!.round !== round) channel.frames.delete(old);
    channel.frames.set(slot, frame);
    return frame;
  }

  /** Plans the delivery of the frame after `afterSlot` (or after the current slot). */
  function schedule(channel: Channel, afterSlot?: number): void {
    clearTimeout(channel.timer);
    channel.timer = undefined;
    if (channel.session.state !== 'open' || channel.session.currentRound === null || channel.projectors.size === 0) return;
    const at = now();
    const period = channel.session.rotationPeriodMs;
    // Explicit, so a timer firing a millisecond early never delivers the same slot twice.
    const next = Math.max(slotAt(at, period) + 1, (afterSlot ?? -Infinity) + 1);
    const deliverAt = slotStartsAt(next - 1, period) + Math.floor(period * channel.lead);
    channel.timer = setTimeout(() => void rotate(channel, next), Math.max(0, deliverAt - at));
  }

  async function rotate(channel: Channel, slot: number): Promise<void> {
    try {
      const frame = await frameFor(channel, slot);
      if (frame) broadcast(channel, { ...frame, serverTime: now() });
    } catch (error) {
      deps.report(error, 'rotation failed');
    } finally {
      schedule(channel, slot);
    }
  }

  /** The current frame, and the next one if it was already delivered: what a (re)joining projector needs. */
  async function framesNow(channel: Channel): Promise<QrFrame[]> {
    const current = slotAt(now(), channel.session.rotationPeriodMs);
    const frames = [await frameFor(channel, current)];
    const ahead = channel.frames.get(current + 1);
    if (ahead?.round === channel.session.currentRound) frames.push({ ...ahead, count: channel.count });
    return frames.filter((frame): frame is QrFrame => frame !== undefined).map((frame) => ({ ...frame, serverTime: now() }));
  }

  async function refresh(channel: Channel): Promise<void> {
    const session = await deps.sessions.find(channel.session.id);
    if (!session) return;
    channel.session = session;
    channel.count = await deps.sessions.liveCount(session.id);
    broadcast(channel, stateMessage(channel));
    for (const frame of await framesNow(channel)) broadcast(channel, frame);
    schedule(channel);
  }

  function onEvent(channel: Channel, event: SessionEvent): void {
    if (event.type === 'count') {
      channel.count = event.count;
      broadcast(channel, { type: 'count', sessionId: channel.session.id, ...event.count });
    } else {
      refresh(channel).catch((error: unknown) => deps.report(error, 'projector refresh failed'));
    }
  }

  async function open(session: Session): Promise<Channel> {
    const channel: Channel = {
      session,
      count: await deps.sessions.liveCount(session.id),
      projectors: new Set(),
      timer: undefined,
      frames: new Map(),
      lead: leadShare(session.id),
      stopListening: async () => undefined,
    };
    channel.stopListening = await deps.events.subscribe(session.id, (event) => onEvent(channel, event));
    return channel;
  }

  async function leave(connection: Connection, sessionId: string): Promise<void> {
    watching.get(connection.id)?.delete(sessionId);
    const pending = channels.get(sessionId);
    if (!pending) return;
    const channel = await pending;
    channel.projectors.delete(connection);
    if (channel.projectors.size > 0) return;
    channels.delete(sessionId);
    clearTimeout(channel.timer);
    await channel.stopListening();
  }

  return {
    async subscribe(connection: Connection, sessionId: string): Promise<void> {
      assertRole(connection.identity, ['teacher', 'admin']);
      const session = await deps.sessions.authorize(connection.identity, sessionId);
      const mine = watching.get(connection.id) ?? new Set<string>();
      if (mine.has(sessionId)) return;
      if (mine.size >= deps.maxPerConnection) throw projectionErrors.PROJECTION_TOO_MANY();
      mine.add(sessionId);
      if (!watching.has(connection.id)) {
        watching.set(connection.id, mine);
        connection.onClose(async () => {
          for (const id of [...mine]) await leave(connection, id);
          watching.delete(connection.id);
        });
      }
      let pending = channels.get(sessionId);
      if (!pending) {
        pending = open(session);
        channels.set(sessionId, pending);
      }
      const channel = await pending;
      channel.projectors.add(connection);
      connection.send(stateMessage(channel));
      // A projector that (re)connects gets the current code at once, not at the next rotation.
      for (const frame of await framesNow(channel)) connection.send(frame);
      if (!channel.timer) schedule(channel);
    },

    async unsubscribe(connection: Connection, sessionId: string): Promise<void> {
      if (!watching.get(connection.id)?.has(sessionId)) throw projectionErrors.PROJECTION_NOT_SUBSCRIBED();
      await leave(connection, sessionId);
    },

    /** How many sessions this instance is projecting now (for metrics and the benchmark). */
    get projectedSessions(): number {
      return channels.size;
    },
  };
}

export type ProjectorHub = ReturnType<typeof createProjectorHub>;
