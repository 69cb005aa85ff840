import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const bounds = { minMs: 500, maxMs: 10_000 };

describe('backoffDelay', () => {
  it('doubles from the minimum, between half and all of each step', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, bounds, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, bounds, () => 1))).toEqual([500, 1000, 2000, 4000]);
  });

  it('never waits longer than the maximum, however many attempts failed', () => {
    expect(backoffDelay(50, bounds, () => 1)).toBe(10_000);
    expect(backoffDelay(5000, bounds, () => 0)).toBe(5000);
  });

  it('spreads retries that failed together', () => {
    const delays = new Set([0.1, 0.5, 0.9].map((r) => backoffDelay(4, bounds, () => r)));
    expect(delays.size).toBe(3);
  });
});
