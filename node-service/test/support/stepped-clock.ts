/**
 * A clock for a service under test (buildApp's `clock`) that a test moves forward instead of waiting: the
 * real time plus every step taken so far. It never goes back, so anything the service judged on it stays
 * judged; real time keeps running underneath, so timers and Valkey's TTLs still work. Every instance of a
 * test must share one (a code judged on one instance's clock is judged on all of theirs).
 */
export interface SteppedClock {
  now(): number;
  /** Moves the clock to `at` (ms since the epoch) when it is behind it; does nothing otherwise. */
  advanceTo(at: number): void;
}

export function steppedClock(): SteppedClock {
  let ahead = 0;
  const now = () => Date.now() + ahead;
  return {
    now,
    advanceTo(at) {
      const behind = at - now();
      if (behind > 0) ahead += behind;
    },
  };
}
