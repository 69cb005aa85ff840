import { describe, expect, test } from 'vitest';
import { formatDateTime as serviceDateTime } from '../../../src/shared/date-style';
import { formatDate, formatDateTime, formatTime } from './dates';

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
