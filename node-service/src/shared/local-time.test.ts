import { describe, expect, test } from 'vitest';
import { isTimeZone, localDate, localDateTime, wallClockAsUtc } from './local-time.js';

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
