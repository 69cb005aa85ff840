import type { KeyValueStore } from '../../shared/storage/key-value.js';
import type { SessionEvents } from '../attendance/index.js';
import { createLiveCodes } from './application/live-codes.js';
import { createProjectorHub, type ProjectionSessions } from './application/projector-hub.js';
import { createCodeStore } from './infrastructure/code-store.js';
import { svgOf } from './infrastructure/qr-renderer.js';
import { projectorHandlers } from './presentation/ws-handlers.js';

export type { LiveCodes } from './application/live-codes.js';

/**
 * Reading and ending live codes: needs only the store, so the composition root builds it first and hands it
 * to attendance (which ends a round's codes) and scan (which reads them).
 */
export function createLiveCodeReader(deps: { store: KeyValueStore; fallbackTtlMs: number; now?: () => number }) {
  return createLiveCodes({ codes: createCodeStore(deps.store), fallbackTtlMs: deps.fallbackTtlMs, ...(deps.now ? { now: deps.now } : {}) });
}
export type { ProjectorHub, ProjectionSessions } from './application/projector-hub.js';
export type { TokenClaim } from './application/ports.js';

/** The rotating QR: live codes in Valkey, and the projectors served over the WebSocket. */
export function createQrProjectionModule(deps: {
  store: KeyValueStore;
  sessions: ProjectionSessions;
  events: SessionEvents;
  publicOrigin: string;
  /** BASE_PATH: the scan page's path on the public origin. */
  basePath: string;
  maxPerConnection: number;
  fallbackTtlMs: number;
  report: (error: unknown, context: string) => void;
  /** PROJECTION_LOSS_CHECK_MS: how soon codes lost with Valkey's data are made again. */
  lossCheckMs: number;
  /** The shared clock slots are cut on (shared/clock.ts); the host clock if absent. */
  now?: () => number;
}) {
  const codes = createCodeStore(deps.store);
  const hub = createProjectorHub({
    sessions: deps.sessions,
    events: deps.events,
    codes,
    // The token rides in the fragment: browsers never send it, so no proxy or server log records it.
    scanUrl: (token) => `${deps.publicOrigin}${deps.basePath}/scan/#${token}`,
    picture: svgOf,
    maxPerConnection: deps.maxPerConnection,
    fallbackTtlMs: deps.fallbackTtlMs,
    report: deps.report,
    lossCheckMs: deps.lossCheckMs,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return { hub, handlers: projectorHandlers(hub) };
}
