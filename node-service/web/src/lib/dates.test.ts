import { describe, expect, test } from 'vitest';
import { formatDateTime as serviceDateTime } from '../../../src/shared/date-style';
import { formatDate, formatDateTime, formatTime, zonedInputs, zonedIso } from './dates';

// The teacher page's edit form reads and writes times on the institution's wall clock, whatever zone the
// device is in: Santiago's summer time ends at 24:00 on 4 April 2026 and starts at 24:00 on 5 September.
describe('times typed in the institution’s zone', () => {
  test('09:30 is 12:30Z in summer and 13:30Z in winter', () => {
    expect(zonedIso('2026-03-30', '09:30', 'America/Santiago')).toBe('2026-03-30T12:30:00.000Z');
    expect(zonedIso('2026-04-06', '09:30', 'America/Santiago')).toBe('2026-04-06T13:30:00.000Z');
  });

  test('an hour shown twice is its first showing; a skipped time lands after the jump, as on the service', () => {
    expect(zonedIso('2026-04-04', '23:30', 'America/Santiago')).toBe('2026-04-05T02:30:00.000Z');
    expect(zonedIso('2026-09-06', '00:30', 'America/Santiago')).toBe('2026-09-06T04:30:00.000Z');
  });

  test('an instant fills the inputs with the zone’s date and time; malformed input is null', () => {
    expect(zonedInputs('2026-04-06T13:30:00Z', 'America/Santiago')).toEqual({ date: '2026-04-06', time: '09:30' });
    expect(zonedInputs('2026-04-06T02:30:00Z', 'America/Santiago')).toEqual({ date: '2026-04-05', time: '22:30' });
    expect(zonedIso('2026-4-6', '09:30', 'America/Santiago')).toBeNull();
    expect(zonedIso('2026-04-06', '9:30', 'America/Santiago')).toBeNull();
  });
});

// 09:38:05 in Santiago (UTC-3 in March), a Tuesday.
const at = '2025-03-04T12:38:05Z';
const zone = 'America/Santiago';

describe('one date style per language', () => {
  test('Spanish is Chilean: day before month, 24-hour clock', () => {
    expect(formatDate(at, 'es', zone)).toBe('mar, 4 mar 2025');
    expect(formatTime(at, 'es', zone)).toBe('09:38');
    expect(formatTime(at, 'es', zone, { seconds: true })).toBe('09:38:05');
  });

  test('English is British: day before month, 24-hour clock, never AM/PM', () => {
    expect(formatDate(at, 'en', zone)).toBe('Tue, 4 Mar 2025');
    expect(formatTime(at, 'en', zone)).toBe('09:38');
    expect(formatTime('2025-03-04T18:05:00Z', 'en', zone, { seconds: true })).toBe('15:05:00');
  });

  test('the service words a date in its messages exactly as the pages do', () => {
    for (const lang of ['es', 'en'] as const) {
      expect(serviceDateTime(new Date(at), lang, zone)).toBe(formatDateTime(at, lang, zone));
    }
  });
});
