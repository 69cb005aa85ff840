import { describe, expect, it } from 'vitest';
import { createSocketCounter } from './socket-limits.js';

describe('socket counter', () => {
  it('refuses the socket past the ceiling, per key', () => {
    const counter = createSocketCounter(2);
    expect([counter.acquire('ana'), counter.acquire('ana'), counter.acquire('ana')]).toEqual([true, true, false]);
    expect(counter.acquire('luis')).toBe(true);
    expect(counter.count('ana')).toBe(2);
  });

  it('makes room again as sockets close', () => {
    const counter = createSocketCounter(1);
    counter.acquire('ana');
    expect(counter.acquire('ana')).toBe(false);
    counter.release('ana');
    expect(counter.acquire('ana')).toBe(true);
  });

  it('forgets a key with no socket left, and never goes below zero', () => {
    const counter = createSocketCounter(1);
    counter.acquire('ana');
    counter.release('ana');
    counter.release('ana');
    expect(counter.count('ana')).toBe(0);
    expect(counter.acquire('ana')).toBe(true);
    expect(counter.acquire('ana')).toBe(false);
  });
});
