import type { TimerClock } from '../../src/shared/clock.js';

/**
 * A clock for a service under test (buildApp's `clock` and `tokenClock`) that a test moves forward instead of
 * waiting: the real time plus every step taken so far. It never goes back, so anything the service judged on
 * it stays judged; real time keeps running underneath, so timers and Valkey's TTLs still work. Every instance
 * of a test must share one (a code judged on one instance's clock is judged on all of theirs).
 */
export interface SteppedClock extends TimerClock {
  /** Moves the clock to `at` (ms since the epoch) when it is behind it, then runs what was due by then. */
  advanceTo(at: number): void;
}

export function steppedClock(): SteppedClock {
  let ahead = 0;
  const now = () => Date.now() + ahead;
  /** Wake-ups asked for with `at`: each runs when real time reaches it, or at once when a step passes it. */
  const waiting = new Set<{ at: number; run: () => void; timer: NodeJS.Timeout }>();
  const wake = (entry: { at: number; run: () => void; timer: NodeJS.Timeout }) => {
    if (!waiting.delete(entry)) return;
    clearTimeout(entry.timer);
    entry.run();
  };
  return {
    now,
    advanceTo(at) {
      const behind = at - now();
      if (behind > 0) ahead += behind;
      const reached = now();
      for (const entry of [...waiting].sort((a, b) => a.at - b.at)) if (entry.at <= reached) wake(entry);
    },
    at(at, run) {
      const entry = { at, run, timer: undefined as unknown as NodeJS.Timeout };
      // Real time only adds to `ahead`, so when this fires the clock reads `at` or later.
      entry.timer = setTimeout(() => wake(entry), Math.max(0, at - now()));
      waiting.add(entry);
      return () => {
        waiting.delete(entry);
        clearTimeout(entry.timer);
      };
    },
  };
}
