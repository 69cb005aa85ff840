import { describe, expect, it } from 'vitest';
import { expiresAt, fallbackExpiresAt, isLive, slotAt, slotsAround } from './rotation.js';

const rotation = { periodMs: 3000, graceMs: 3000 };

describe('rotation', () => {
  it('cuts time into slots of one period on the server clock', () => {
    expect(slotAt(0, 3000)).toBe(0);
    expect(slotAt(2999, 3000)).toBe(0);
    expect(slotAt(3000, 3000)).toBe(1);
  });

  it('lets the current and the previous code scan, nothing older, nothing ahead', () => {
    const now = 10 * 3000 + 100; // in slot 10
    expect(isLive(10, now, rotation)).toBe(true);
    expect(isLive(9, now, rotation)).toBe(true);
    expect(isLive(8, now, rotation)).toBe(false);
    expect(isLive(11, now, rotation)).toBe(false);
  });

  it('ends a code exactly at the end of its slot plus the grace', () => {
    expect(expiresAt(10, rotation)).toBe(11 * 3000 + 3000);
    expect(isLive(10, expiresAt(10, rotation) - 1, rotation)).toBe(true);
    expect(isLive(10, expiresAt(10, rotation), rotation)).toBe(false);
    expect(isLive(10, 11 * 3000 + 499, { periodMs: 3000, graceMs: 500 })).toBe(true);
    expect(isLive(10, 11 * 3000 + 499, { periodMs: 3000, graceMs: 499 })).toBe(false);
  });

  it('lists the slots that may hold live codes, for invalidation', () => {
    expect(slotsAround(10 * 3000 + 5, rotation)).toEqual([9, 10, 11]);
    expect(slotsAround(10 * 3000 + 5, { periodMs: 3000, graceMs: 0 })).toEqual([10, 11]);
  });

  it('reaches back as far as codes that live longer than the rotation (typed fallbacks)', () => {
    expect(slotsAround(10 * 3000 + 5, rotation, 20_000)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('keeps a typed fallback code for its own time from its slot start, never less than its QR code', () => {
    expect(fallbackExpiresAt(10, rotation, 20_000)).toBe(10 * 3000 + 20_000);
    expect(fallbackExpiresAt(10, { periodMs: 30_000, graceMs: 30_000 }, 20_000)).toBe(expiresAt(10, { periodMs: 30_000, graceMs: 30_000 }));
  });
});
