import { afterEach, describe, expect, test, vi } from 'vitest';
import { clockHealthy, createSharedClock } from './clock.js';

// Tiny fakes: a host clock the test moves by hand, and a reference that answers after a chosen delay.
function world(options: { hostAheadMs: number; roundTripsMs?: number[] }) {
  let trueTime = 1_800_000_000_000;
  let monotonic = 0;
  const roundTrips = [...(options.roundTripsMs ?? [0])];
  const advance = (ms: number) => {
    trueTime += ms;
    monotonic += ms;
  };
  return {
    advance,
    trueNow: () => trueTime,
    hostNow: () => trueTime + options.hostAheadMs,
    monotonicNow: () => monotonic,
    // The reference reads its clock halfway through the round trip.
    reference: async () => {
      const roundTrip = roundTrips.length > 1 ? roundTrips.shift()! : roundTrips[0]!;
      advance(roundTrip / 2);
      const at = trueTime;
      advance(roundTrip / 2);
      return at;
    },
  };
}

afterEach(() => vi.useRealTimers());

describe('the shared clock', () => {
  test('a host clock 2 s ahead or behind reads the reference time once measured', async () => {
    for (const hostAheadMs of [2000, -2000, 7000]) {
      const w = world({ hostAheadMs, roundTripsMs: [4] });
      const clock = createSharedClock({ reference: w.reference, refreshMs: 10_000, hostNow: w.hostNow, monotonicNow: w.monotonicNow });
      expect(clock.now()).toBe(w.trueNow() + hostAheadMs);
      await clock.refresh();
      expect(clock.offsetMs()).toBe(-hostAheadMs);
      expect(clock.now()).toBe(w.trueNow());
      w.advance(1234);
      expect(clock.now()).toBe(w.trueNow());
    }
  });

  test('the shortest of a few round trips gives the estimate (a queued sample would be off by half its wait)', async () => {
    const w = world({ hostAheadMs: 0, roundTripsMs: [300, 2, 300] });
    const clock = createSharedClock({ reference: w.reference, refreshMs: 10_000, hostNow: w.hostNow, monotonicNow: w.monotonicNow });
    await clock.refresh();
    expect(Math.abs(clock.offsetMs()!)).toBeLessThanOrEqual(1);
  });

  test('a reference too slow to measure keeps the last offset and says why', async () => {
    const w = world({ hostAheadMs: 1000, roundTripsMs: [2, 2, 2, 900] });
    const clock = createSharedClock({ reference: w.reference, refreshMs: 10_000, hostNow: w.hostNow, monotonicNow: w.monotonicNow });
    await clock.refresh();
    await expect(clock.refresh()).rejects.toThrow(/round trip 900 ms/);
    expect(clock.offsetMs()).toBe(-1000);
  });

  test('refreshes by itself every refreshMs, and reports a failed refresh', async () => {
    vi.useFakeTimers();
    let up = true;
    const reference = vi.fn(async () => {
      if (!up) throw new Error('down');
      return Date.now() + 500;
    });
    const report = vi.fn();
    const clock = createSharedClock({ reference, refreshMs: 1000, report });
    clock.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(reference).toHaveBeenCalledTimes(3);
    expect(clock.offsetMs()).toBe(500);
    up = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(report).toHaveBeenCalledWith(expect.any(Error), 'clock offset not refreshed');
    clock.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(reference).toHaveBeenCalledTimes(4);
  });

  test('is healthy only when measured lately and within the largest offset allowed', () => {
    const at = (offset: number | null, age: number | null) => ({ offsetMs: () => offset, ageMs: () => age });
    const limits = { maxOffsetMs: 250, maxAgeMs: 30_000 };
    expect(clockHealthy(at(-240, 1000), limits)).toBe(true);
    expect(clockHealthy(at(251, 1000), limits)).toBe(false);
    expect(clockHealthy(at(-2000, 1000), limits)).toBe(false);
    expect(clockHealthy(at(0, 31_000), limits)).toBe(false);
    expect(clockHealthy(at(null, null), limits)).toBe(false);
  });
});
