import { describe, expect, it } from 'vitest';
import { retryDelayMs, scoreOf, scoresUrl } from './grades.js';

describe('the attendance grade sent to the LMS', () => {
  it('is the fraction out of 100, two decimals, within 0 and 100', () => {
    expect(scoreOf(1)).toBe(100);
    expect(scoreOf(1 / 3)).toBe(33.33);
    expect(scoreOf(-0.2)).toBe(0);
    expect(scoreOf(1.5)).toBe(100);
  });

  it('waits twice as long after each failure, never beyond the ceiling', () => {
    const settings = { baseMs: 30_000, maxMs: 100_000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, settings))).toEqual([30_000, 60_000, 100_000, 100_000]);
  });

  it('posts scores under the line item, its query kept', () => {
    expect(scoresUrl('https://lms.example/ags/c1/lineitems/7?type=x')).toBe('https://lms.example/ags/c1/lineitems/7/scores?type=x');
    expect(scoresUrl('https://lms.example/ags/c1/lineitems/7/')).toBe('https://lms.example/ags/c1/lineitems/7/scores');
  });
});
