import { describe, expect, it } from 'vitest';
import { latestDigestWeek, warningPeriod } from './schedule.js';

const zone = 'America/Santiago';

describe('latestDigestWeek', () => {
  it('is this week’s digest once its hour has come on its day, last week’s before', () => {
    // Monday 2026-12-07 08:00 in Santiago (summer, UTC−3) is 11:00Z.
    expect(latestDigestWeek(new Date('2026-12-07T11:00:00Z'), zone, 1, 8)).toEqual({
      period: '2026-12-07',
      from: new Date('2026-11-30T11:00:00Z'),
      to: new Date('2026-12-07T11:00:00Z'),
    });
    expect(latestDigestWeek(new Date('2026-12-07T10:59:00Z'), zone, 1, 8).period).toBe('2026-11-30');
    expect(latestDigestWeek(new Date('2026-12-12T20:00:00Z'), zone, 1, 8).period).toBe('2026-12-07');
  });

  it('counts days in the institution’s zone, not in UTC', () => {
    // Tuesday 01:00Z is still Monday 22:00 in Santiago.
    expect(latestDigestWeek(new Date('2026-12-08T01:00:00Z'), zone, 2, 0).period).toBe('2026-12-01');
    expect(latestDigestWeek(new Date('2026-12-08T03:00:00Z'), zone, 2, 0).period).toBe('2026-12-08');
  });
});

describe('warningPeriod', () => {
  it('is the half-year in the zone', () => {
    expect(warningPeriod(new Date('2026-03-10T12:00:00Z'), zone)).toBe('2026-H1');
    expect(warningPeriod(new Date('2026-07-01T12:00:00Z'), zone)).toBe('2026-H2');
    // 2027-01-01 01:00Z is still New Year’s Eve in Santiago.
    expect(warningPeriod(new Date('2027-01-01T01:00:00Z'), zone)).toBe('2026-H2');
  });
});
