import { describe, expect, test } from 'vitest';
import { instantAt, isTimeZone, localDate, localDateTime, wallClockAsUtc } from './local-time.js';

describe('local time in the institution’s zone', () => {
  // 12:38Z on 27 November is 09:38 in Santiago (summer time, UTC-3) and 13:38 in Madrid.
  const scan = new Date('2026-11-27T12:38:05Z');

  test('a scan reads in the zone’s wall-clock time', () => {
    expect(localDateTime(scan, 'America/Santiago')).toBe('2026-11-27 09:38');
    expect(localDateTime(scan, 'America/Santiago', true)).toBe('2026-11-27 09:38:05');
    expect(localDateTime(scan, 'Europe/Madrid')).toBe('2026-11-27 13:38');
  });

  test('the date is the zone’s date, not UTC’s', () => {
    expect(localDate(new Date('2026-11-28T01:30:00Z'), 'America/Santiago')).toBe('2026-11-27');
  });

  test('a spreadsheet cell carries the wall clock in its UTC fields', () => {
    expect(wallClockAsUtc(scan, 'America/Santiago').toISOString()).toBe('2026-11-27T09:38:05.000Z');
  });

  test('unknown zones are recognised', () => {
    expect(isTimeZone('America/Santiago')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('the instant of a wall-clock time in the zone', () => {
  const at = (date: string, time: string, zone = 'America/Santiago') => {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const [hour, minute] = time.split(':').map(Number) as [number, number];
    return instantAt({ year, month, day, hour, minute }, zone).toISOString();
  };

  test('09:30 in Santiago is 12:30Z in summer time and 13:30Z after it ends (4 April 2026)', () => {
    expect(at('2026-03-30', '09:30')).toBe('2026-03-30T12:30:00.000Z');
    expect(at('2026-04-06', '09:30')).toBe('2026-04-06T13:30:00.000Z');
    expect(at('2026-09-07', '09:30')).toBe('2026-09-07T12:30:00.000Z');
    expect(at('2026-11-27', '13:38', 'Europe/Madrid')).toBe('2026-11-27T12:38:00.000Z');
  });

  test('an hour shown twice is its first showing; a skipped time lands after the jump', () => {
    // Summer time ends at 24:00 on 4 April 2026: 23:30 is shown at 02:30Z and again at 03:30Z.
    expect(at('2026-04-04', '23:30')).toBe('2026-04-05T02:30:00.000Z');
    // It starts at 24:00 on 5 September 2026: 00:30 on the 6th never shows; 01:30 does, at 04:30Z.
    expect(at('2026-09-06', '00:30')).toBe('2026-09-06T04:30:00.000Z');
    expect(localDateTime(new Date(at('2026-09-06', '00:30')), 'America/Santiago')).toBe('2026-09-06 01:30');
  });
});
