import { describe, expect, it } from 'vitest';
import { backoffDelay, renewalDelay } from './ws';

describe('renewalDelay', () => {
  it('sends a fresh token a minute before a five-minute token ends', () => {
    expect(renewalDelay({ serverTime: 1_000_000, expiresAt: 1_000_000 + 300_000 }, 60_000)).toBe(240_000);
  });

  it('keeps a third of a short remaining life as the margin', () => {
    expect(renewalDelay({ serverTime: 0, expiresAt: 3000 }, 60_000)).toBe(2000);
  });

  it('renews at once when the token has already ended, and not at all when the service said nothing', () => {
    expect(renewalDelay({ serverTime: 5000, expiresAt: 4000 }, 60_000)).toBe(0);
    expect(renewalDelay({}, 60_000)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('grows to the ceiling', () => {
    expect(backoffDelay(0, { minBackoffMs: 500, maxBackoffMs: 10_000 }, () => 1)).toBe(500);
    expect(backoffDelay(10, { minBackoffMs: 500, maxBackoffMs: 10_000 }, () => 1)).toBe(10_000);
  });
});
