import { describe, expect, it } from 'vitest';
import { counterRegressed } from './sign-counter.js';

describe('counterRegressed', () => {
  it('accepts a counter moving forward, and authenticators that never count', () => {
    expect(counterRegressed(5, 6)).toBe(false);
    expect(counterRegressed(0, 0)).toBe(false);
    expect(counterRegressed(0, 1)).toBe(false);
  });
  it('flags a counter that stays or goes back', () => {
    expect(counterRegressed(5, 5)).toBe(true);
    expect(counterRegressed(5, 3)).toBe(true);
    expect(counterRegressed(5, 0)).toBe(true);
  });
});
