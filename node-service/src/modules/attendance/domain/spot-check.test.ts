import { describe, expect, it } from 'vitest';
import { drawAtRandom, needsReason } from './spot-check.js';

/** randomBelow answering from a fixed list (each answer taken modulo n). */
const sequence = (...answers: number[]) => (n: number) => answers.shift()! % n;

describe('drawAtRandom', () => {
  it('draws without repeats, in the order drawn, as the random source says', () => {
    expect(drawAtRandom(['a', 'b', 'c', 'd'], 3, sequence(1, 0, 1))).toEqual(['b', 'a', 'd']);
  });

  it('never more than there are', () => {
    expect(drawAtRandom(['a', 'b'], 5, sequence(0, 0, 0)).sort()).toEqual(['a', 'b']);
    expect(drawAtRandom([], 3, sequence())).toEqual([]);
  });

  it('each candidate equally likely (10,000 draws of one among four)', () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 10_000; i += 1) {
      const [one] = drawAtRandom(['a', 'b', 'c', 'd'], 1, (n) => Math.floor(Math.random() * n));
      seen.set(one!, (seen.get(one!) ?? 0) + 1);
    }
    for (const count of seen.values()) expect(count).toBeGreaterThan(2200);
    expect(seen.size).toBe(4);
  });
});

describe('needsReason', () => {
  it('to take the confirmation away, and to give it back', () => {
    expect(needsReason('called', 'no_answer')).toBe(true);
    expect(needsReason('no_answer', 'answered')).toBe(true);
    expect(needsReason('called', 'answered')).toBe(false);
    expect(needsReason('answered', 'answered')).toBe(false);
  });
});
