import { randomUUID } from 'node:crypto';
import { assertRole, type Identity } from '../../auth/index.js';
import type { LiveCount, Session, SessionEvent, SessionEvents } from '../../attendance/index.js';
import type { Connection, ServerMessage } from '../../realtime/index.js';
import { projectionErrors } from '../domain/errors.js';
import { expiresAt, fallbackExpiresAt, slotAt, slotStartsAt } from '../domain/rotation.js';
import type { CodeStore } from './ports.js';

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
  /** Settles once the session's count is read and its events are heard; a failure drops the channel. */
  ready: Promise<void>;
  stopListening: (() => Promise<void>) | undefined;
  /** The last projector left (or opening failed): nothing more is made, scheduled or heard for it. */
  ended: boolean;
  /** Rotations are failing (an outage): reported once, not at every period, until one succeeds. */
  failing: boolean;
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
  scanUrl: (token: string) => string;
  /**
   * The code as an SVG picture, for projector pages from before the page drew its own (one left open across
   * an upgrade): a page that draws says so (`projector.draws`) and gets the URL alone.
   */
  picture: (text: string) => string;
  maxPerConnection: number;
  /** How long a typed fallback code leads to a challenge, from its slot's start (FALLBACK_CODE_TTL_SECONDS). */
  fallbackTtlMs: number;
  /** Where a failed rotation or refresh is reported (a timer has no caller to throw to). */
  report: (error: unknown, context: string) => void;
  /** How often, while it projects, this instance checks that Valkey kept its data (PROJECTION_LOSS_CHECK_MS). */
  lossCheckMs: number;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const instanceId = randomUUID();
  let lossCheck: NodeJS.Timeout | undefined;
  const channels = new Map<string, Channel>();
  const watching = new Map<string, Set<string>>();
  /** Channels with a rotation timer set: the hub's own account of what it will still do. */
  const scheduled = new Set<Channel>();

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

  /** Connections whose page draws the code itself (every page since it did): the others get a picture too. */
  const drawing = new WeakSet<Connection>();
  /** Pictures made for pages that do not draw, by URL: a few slots' worth per session at most. */
  const pictures = new Map<string, string>();
  const pictureOf = (url: string): string => {
    let svg = pictures.get(url);
    if (svg === undefined) {
      svg = deps.picture(url);
      pictures.set(url, svg);
      if (pictures.size > 4 * Math.max(1, channels.size)) pictures.delete(pictures.keys().next().value!);
    }
    return svg;
  };
  const sendFrame = (projector: Connection, frame: QrFrame) =>
    projector.send(drawing.has(projector) ? frame : { ...frame, svg: pictureOf(frame.url) });
  const broadcastFrame = (channel: Channel, frame: QrFrame) => {
    for (const projector of channel.projectors) sendFrame(projector, frame);
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

  function stopTimer(channel: Channel): void {
    clearTimeout(channel.timer);
    channel.timer = undefined;
    scheduled.delete(channel);
  }

  /** Plans the delivery of the frame after `afterSlot` (or after the current slot). */
  function schedule(channel: Channel, afterSlot?: number): void {
    stopTimer(channel);
    if (channel.ended || channel.session.state !== 'open' || channel.session.currentRound === null || channel.projectors.size === 0) return;
    const at = now();
    const period = channel.session.rotationPeriodMs;
    // Explicit, so a timer firing a millisecond early never delivers the same slot twice.
    const next = Math.max(slotAt(at, period) + 1, (afterSlot ?? -Infinity) + 1);
    const deliverAt = slotStartsAt(next - 1, period) + Math.floor(period * channel.lead);
    // The channel stays counted in `scheduled` while its rotation runs; rotate() plans the next or stops.
    channel.timer = setTimeout(() => {
      channel.timer = undefined;
      void rotate(channel, next);
    }, Math.max(0, deliverAt - at));
    scheduled.add(channel);
  }

  async function rotate(channel: Channel, slot: number): Promise<void> {
    try {
      if (channel.ended) return;
      const frame = await frameFor(channel, slot);
      const recovered = channel.failing;
      channel.failing = false;
      if (frame) broadcastFrame(channel, { ...frame, serverTime: now() });
      // Session events published during the outage were lost: read the session and its count again.
      if (recovered) refresh(channel).catch((error: unknown) => deps.report(error, 'projector refresh failed'));
    } catch (error) {
      // Valkey or PostgreSQL out: this frame is lost, the next one is tried on time. One line per session
      // and outage, not one per period: hundreds of projected sessions would flood the log.
      if (!channel.failing) deps.report(error, 'rotation failed (reported again only after one succeeds)');
      channel.failing = true;
    } finally {
      schedule(channel, slot);
    }
  }

  /**
   * Valkey lost its data (FLUSHALL, a restart without persistence, a failover to a replica behind): the codes
   * on screen, and the next ones delivered ahead, are gone, and every scan of them would be refused until the
   * next rotation. So every frame a projector holds is asked of the store again and, where the code is new,
   * sent at once: the page shows a code of the same slot in its place.
   */
  async function remint(channel: Channel): Promise<void> {
    const current = slotAt(now(), channel.session.rotationPeriodMs);
    const held = [...channel.frames.entries()].filter(([slot]) => slot >= current).sort(([a], [b]) => a - b);
    for (const [slot, shown] of held) {
      if (channel.ended) return;
      channel.frames.delete(slot);
      const frame = await frameFor(channel, slot);
      if (frame && frame.url !== shown.url) broadcastFrame(channel, { ...frame, serverTime: now() });
    }
  }

  /** While this instance projects, checks every `lossCheckMs` that Valkey kept its data; re-mints if not. */
  function watchForLoss(): void {
    if (lossCheck || channels.size === 0) return;
    const handle = setTimeout(() => {
      void (async () => {
        try {
          if (!(await deps.codes.intact(instanceId))) {
            const results = await Promise.allSettled([...channels.values()].map(remint));
            const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
            if (failed) deps.report(failed.reason, 're-minting the codes on screen failed');
          }
        } catch {
          // Valkey out: the rotations report it, and the check after it returns finds the sentinel gone.
        } finally {
          // Unless the last projector left meanwhile (and a new check may already be planned).
          if (lossCheck === handle) {
            lossCheck = undefined;
            watchForLoss();
          }
        }
      })();
    }, deps.lossCheckMs);
    lossCheck = handle;
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
    if (channel.ended) return;
    const session = await deps.sessions.find(channel.session.id);
    if (!session) return;
    channel.session = session;
    channel.count = await deps.sessions.liveCount(session.id);
    broadcast(channel, stateMessage(channel));
    for (const frame of await framesNow(channel)) broadcastFrame(channel, frame);
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

  /** A channel for the session, created at once (so a projector leaving meanwhile finds it), ready later. */
  function open(session: Session): Channel {
    const channel: Channel = {
      session,
      count: { round: session.currentRound, confirmed: 0, expected: 0 },
      projectors: new Set(),
      timer: undefined,
      frames: new Map(),
      lead: leadShare(session.id),
      ready: Promise.resolve(),
      stopListening: undefined,
      ended: false,
      failing: false,
    };
    channel.ready = (async () => {
      const stop = await deps.events.subscribe(session.id, (event) => onEvent(channel, event));
      if (channel.ended) return stop();
      channel.stopListening = stop;
      // Read again once listening: a change announced between the first read and now (a round started the
      // moment the projector subscribed) was heard by nobody, so it must be in this read.
      channel.session = (await deps.sessions.find(session.id)) ?? channel.session;
      channel.count = await deps.sessions.liveCount(session.id);
    })();
    // A channel that could not open (Valkey or PostgreSQL out) is forgotten, so the next subscribe tries
    // afresh instead of waiting on this failure for good.
    channel.ready.catch(() => end(channel));
    channels.set(session.id, channel);
    watchForLoss();
    return channel;
  }

  /** Stops everything the channel does: its timer, its frames, its pub/sub subscription. */
  function end(channel: Channel): void {
    channel.ended = true;
    if (channels.get(channel.session.id) === channel) channels.delete(channel.session.id);
    if (channels.size === 0) {
      clearTimeout(lossCheck);
      lossCheck = undefined;
    }
    stopTimer(channel);
    channel.projectors.clear();
    const stop = channel.stopListening;
    channel.stopListening = undefined;
    stop?.().catch((error: unknown) => deps.report(error, 'projector unsubscribe failed'));
  }

  function leave(connection: Connection, sessionId: string): void {
    watching.get(connection.id)?.delete(sessionId);
    const channel = channels.get(sessionId);
    if (!channel?.projectors.delete(connection)) return;
    if (channel.projectors.size === 0) end(channel);
  }

  /** What a (re)joining projector needs at once: the state and the current code, not the next rotation's. */
  async function greet(connection: Connection, channel: Channel): Promise<void> {
    connection.send(stateMessage(channel));
    try {
      for (const frame of await framesNow(channel)) sendFrame(connection, frame);
    } finally {
      // Planned even when the current code could not be made (Valkey out): the next one is tried on time.
      if (!channel.timer) schedule(channel);
    }
  }

  return {
    /** The page draws the code from the frame's URL (`projector.draws`, sent before it subscribes). */
    draws(connection: Connection): void {
      drawing.add(connection);
    },

    async subscribe(connection: Connection, sessionId: string): Promise<void> {
      assertRole(connection.identity, ['teacher', 'admin']);
      const session = await deps.sessions.authorize(connection.identity, sessionId);
      // Dropped while the session was read: start nothing that its close would not stop.
      if (connection.closed) return;
      const mine = watching.get(connection.id) ?? new Set<string>();
      const joined = channels.get(sessionId);
      // Subscribing again (a page retrying) gets the state and the current code again.
      if (mine.has(sessionId) && joined?.projectors.has(connection)) return greet(connection, joined);
      if (mine.size >= deps.maxPerConnection) throw projectionErrors.PROJECTION_TOO_MANY();
      mine.add(sessionId);
      if (!watching.has(connection.id)) {
        watching.set(connection.id, mine);
        connection.onClose(() => {
          for (const id of [...mine]) leave(connection, id);
          watching.delete(connection.id);
        });
      }
      const channel = joined ?? open(session);
      channel.projectors.add(connection);
      try {
        await channel.ready;
      } catch (error) {
        leave(connection, sessionId);
        throw error;
      }
      // Left (closed, unsubscribed) while the channel opened.
      if (!channel.projectors.has(connection)) return;
      await greet(connection, channel);
    },

    async unsubscribe(connection: Connection, sessionId: string): Promise<void> {
      if (!watching.get(connection.id)?.has(sessionId)) throw projectionErrors.PROJECTION_NOT_SUBSCRIBED();
      leave(connection, sessionId);
    },

    /** How many sessions this instance is projecting now (for metrics and the benchmark). */
    get projectedSessions(): number {
      return channels.size;
    },

    /** Channels with a rotation planned or under way: 0 when no projector is left (tests read this). */
    get plannedRotations(): number {
      return scheduled.size;
    },
  };
}

export type ProjectorHub = ReturnType<typeof createProjectorHub>;
