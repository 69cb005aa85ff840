import type { SqlExecutor } from './storage/sql.js';

/** Milliseconds since the Unix epoch, on the one clock every instance shares (see createSharedClock). */
export interface Clock {
  now(): number;
}

/** A clock that can also wake a caller at one of its own times (a socket's end at its token's `exp`). */
export interface TimerClock extends Clock {
  /** Runs `run` once, when this clock reads `at` (ms since the epoch) or later; the result cancels it. */
  at(at: number, run: () => void): () => void;
}

/** This host's clock, with Node's timers: what portal tokens are judged on (the portal signs on its host's). */
export const hostClock: TimerClock = {
  now: () => Date.now(),
  at(at, run) {
    const timer = setTimeout(run, Math.max(0, at - Date.now()));
    return () => clearTimeout(timer);
  },
};

export interface SharedClock extends Clock {
  /** The reference's time minus this host's, as last measured; null before any measurement. */
  offsetMs(): number | null;
  /** Ms since the last good measurement (monotonic); null before any. */
  ageMs(): number | null;
  /** Measures the offset now (a few round trips; the shortest one wins). */
  refresh(): Promise<void>;
  /** Refreshes every `refreshMs` until `stop()`. */
  start(): void;
  stop(): void;
}

/** Round trips measured per refresh; the shortest one gives the estimate. */
const SAMPLES = 3;
/** A round trip longer than this says more about a queue than about the clock: such a refresh is ignored. */
const MAX_ROUND_TRIP_MS = 500;

/**
 * One clock for QR slots. Each instance asks the shared reference (PostgreSQL) for its time, estimates the
 * offset from its own clock (reference + round trip / 2 - host, from the shortest of a few round trips),
 * and answers `now()` = host clock + offset, refreshed every `refreshMs`. So instances whose host clocks
 * drift apart still cut time into the same slots; until the first measurement the host clock is used.
 */
export function createSharedClock(deps: {
  reference: () => Promise<number>;
  refreshMs: number;
  hostNow?: () => number;
  monotonicNow?: () => number;
  /** Where a failed refresh is reported (a timer has no caller to throw to). */
  report?: (error: unknown, context: string) => void;
}): SharedClock {
  const hostNow = deps.hostNow ?? Date.now;
  const monotonicNow = deps.monotonicNow ?? (() => performance.now());
  let offset: number | null = null;
  let measuredAt: number | null = null;
  let timer: NodeJS.Timeout | undefined;

  async function sample(): Promise<{ offset: number; roundTrip: number }> {
    const sent = hostNow();
    const reference = await deps.reference();
    const received = hostNow();
    const roundTrip = received - sent;
    return { offset: reference + roundTrip / 2 - received, roundTrip };
  }

  async function refresh(): Promise<void> {
    let best: { offset: number; roundTrip: number } | undefined;
    for (let i = 0; i < SAMPLES; i += 1) {
      const next = await sample();
      if (!best || next.roundTrip < best.roundTrip) best = next;
    }
    if (!best || best.roundTrip > MAX_ROUND_TRIP_MS) {
      throw new Error(`clock reference too slow to measure (round trip ${best?.roundTrip ?? '?'} ms)`);
    }
    offset = Math.round(best.offset);
    measuredAt = monotonicNow();
  }

  return {
    now: () => hostNow() + (offset ?? 0),
    offsetMs: () => offset,
    ageMs: () => (measuredAt === null ? null : monotonicNow() - measuredAt),
    refresh,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        refresh().catch((error: unknown) => deps.report?.(error, 'clock offset not refreshed'));
      }, deps.refreshMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** PostgreSQL's own clock (not the transaction's start), in ms since the epoch: the reference instances share. */
export function databaseTime(db: SqlExecutor): () => Promise<number> {
  return async () => {
    const { rows } = await db.query<{ ms: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms');
    return Number(rows[0]!.ms);
  };
}

/** The state `/ready` reports: a host clock off the reference by more than `maxOffsetMs`, or not measured lately. */
export function clockHealthy(clock: Pick<SharedClock, 'offsetMs' | 'ageMs'>, limits: { maxOffsetMs: number; maxAgeMs: number }): boolean {
  const offset = clock.offsetMs();
  const age = clock.ageMs();
  return offset !== null && age !== null && Math.abs(offset) <= limits.maxOffsetMs && age <= limits.maxAgeMs;
}
