import { distribution, type Distribution } from '../support/stats.js';
import type { FrameRecord } from './protocol.js';

/** The slots measured: every session should receive exactly one frame for each, with one token. */
export interface SlotWindow {
  firstSlot: number;
  lastSlot: number;
  periodMs: number;
}

export interface FrameFigures {
  expected: number;
  received: number;
  missing: number;
  /** Sessions that missed at least one slot. */
  sessionsMissing: number;
  /** Frames beyond the first for a (session, slot). */
  duplicates: number;
  /** (session, slot) pairs seen with more than one token: must be 0. */
  slotsWithSeveralTokens: number;
  /** Server lateness: `serverTime − slotStartsAt`, how long after the boundary the server sent the frame. */
  serverLateness: Distribution;
  /** Arrival lateness: projector clock at receipt − `slotStartsAt` (same machine, same clock). */
  arrivalLateness: Distribution;
  /** Arrival − serverTime: the time from the server's send to the projector's receipt. */
  delivery: Distribution;
  /**
   * Rotation jitter at the projector: how late after its slot began a code can first be shown. A frame
   * delivered ahead is shown at slotStartsAt (on the server's clock), so it counts 0; a late one, its lateness.
   */
  showLateness: Distribution;
  /** Frames that arrived after their slot had begun. */
  lateFrames: number;
  /** Per slot, the first and the last frame's server lateness: the median over the slots of each. */
  burst: { firstMs: number; lastMs: number };
}

export function analyseFrames(frames: readonly FrameRecord[], sessions: number, window: SlotWindow): FrameFigures {
  const inWindow = frames.filter((f) => f.slot >= window.firstSlot && f.slot <= window.lastSlot);
  const tokens = new Map<string, Set<string>>();
  for (const frame of inWindow) {
    const key = `${frame.session}:${frame.slot}`;
    tokens.set(key, (tokens.get(key) ?? new Set()).add(frame.token));
  }
  const slots = window.lastSlot - window.firstSlot + 1;
  const perSession = new Map<number, number>();
  for (const key of tokens.keys()) {
    const session = Number(key.split(':')[0]);
    perSession.set(session, (perSession.get(session) ?? 0) + 1);
  }
  let sessionsMissing = 0;
  for (let s = 0; s < sessions; s += 1) if ((perSession.get(s) ?? 0) < slots) sessionsMissing += 1;
  return {
    expected: sessions * slots,
    received: tokens.size,
    missing: sessions * slots - tokens.size,
    sessionsMissing,
    duplicates: inWindow.length - tokens.size,
    slotsWithSeveralTokens: [...tokens.values()].filter((set) => set.size > 1).length,
    serverLateness: distribution(inWindow.map((f) => f.serverTime - f.slotStartsAt)),
    arrivalLateness: distribution(inWindow.map((f) => f.arrivedAt - f.slotStartsAt)),
    delivery: distribution(inWindow.map((f) => f.arrivedAt - f.serverTime)),
    showLateness: distribution(inWindow.map((f) => Math.max(0, f.arrivedAt - f.slotStartsAt))),
    lateFrames: inWindow.filter((f) => f.arrivedAt > f.slotStartsAt).length,
    burst: burstOf(inWindow),
  };
}

/** When, after each boundary, the server sent the slot's first frame and its last one. */
function burstOf(frames: readonly FrameRecord[]): { firstMs: number; lastMs: number } {
  const bySlot = new Map<number, { first: number; last: number }>();
  for (const frame of frames) {
    const lateness = frame.serverTime - frame.slotStartsAt;
    const seen = bySlot.get(frame.slot) ?? { first: Infinity, last: -Infinity };
    bySlot.set(frame.slot, { first: Math.min(seen.first, lateness), last: Math.max(seen.last, lateness) });
  }
  const slots = [...bySlot.values()];
  return { firstMs: distribution(slots.map((s) => s.first)).p50, lastMs: distribution(slots.map((s) => s.last)).p50 };
}
