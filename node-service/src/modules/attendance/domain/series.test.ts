import { describe, expect, test } from 'vitest';
import { countOccurrences, occurrencesOf, withoutExclusions, type SeriesPlan } from './series.js';

const zone = 'America/Santiago';
// Mondays and Wednesdays, 09:30–11:00, across the end of summer time in Chile (24:00 on Saturday 4 April 2026).
const plan: SeriesPlan = { firstDate: '2026-03-23', untilDate: '2026-04-13', weekdays: [1, 3], startTime: '09:30', endTime: '11:00' };
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'no error';
};

describe('a weekly series', () => {
  test('one class per chosen weekday up to the last date, included, at the same local time across the change of time', () => {
    const classes = occurrencesOf(plan, zone, 40).map((c) => [c.plannedStart.toISOString(), c.plannedEnd.toISOString()]);
    expect(classes).toEqual([
      ['2026-03-23T12:30:00.000Z', '2026-03-23T14:00:00.000Z'],
      ['2026-03-25T12:30:00.000Z', '2026-03-25T14:00:00.000Z'],
      ['2026-03-30T12:30:00.000Z', '2026-03-30T14:00:00.000Z'],
      ['2026-04-01T12:30:00.000Z', '2026-04-01T14:00:00.000Z'],
      ['2026-04-06T13:30:00.000Z', '2026-04-06T15:00:00.000Z'],
      ['2026-04-08T13:30:00.000Z', '2026-04-08T15:00:00.000Z'],
      ['2026-04-13T13:30:00.000Z', '2026-04-13T15:00:00.000Z'],
    ]);
  });

  test('counts without listing, whatever the span', () => {
    expect(countOccurrences(plan)).toBe(7);
    expect(countOccurrences({ firstDate: '2026-03-02', untilDate: '2026-07-03', weekdays: [2] })).toBe(18);
    expect(countOccurrences({ firstDate: '2026-01-01', untilDate: '9999-12-31', weekdays: [1, 2, 3, 4, 5, 6, 7] })).toBe(2_912_443);
    expect(countOccurrences({ firstDate: '2026-03-24', untilDate: '2026-03-22', weekdays: [1] })).toBe(0);
  });

  test('refuses more classes than allowed, none at all, inverted dates and inverted times', () => {
    expect(codeOf(() => occurrencesOf(plan, zone, 6))).toBe('SERIES_TOO_MANY');
    expect(codeOf(() => occurrencesOf({ ...plan, untilDate: '9999-12-31' }, zone, 40))).toBe('SERIES_TOO_MANY');
    expect(codeOf(() => occurrencesOf({ ...plan, untilDate: '2026-03-24', weekdays: [5] }, zone, 40))).toBe('SERIES_EMPTY');
    expect(codeOf(() => occurrencesOf({ ...plan, untilDate: '2026-03-01' }, zone, 40))).toBe('SERIES_INVALID_DATES');
    expect(codeOf(() => occurrencesOf({ ...plan, endTime: '09:30' }, zone, 40))).toBe('SESSION_INVALID_TIMES');
  });
});

describe('a series without its holidays and recesses', () => {
  const classes = ['2027-03-22', '2027-03-26', '2027-04-12', '2027-04-16', '2027-04-19'].map((date) => ({ date }));
  test('keeps the other classes and names every date left out with why; a holiday in a recess is named as the holiday', () => {
    const result = withoutExclusions(classes, {
      holidays: new Map([['2027-03-26', 'Viernes Santo'], ['2027-04-16', 'Feriado regional']]),
      recesses: [{ from: '2027-04-12', to: '2027-04-16', name: 'Pruebas' }],
    });
    expect(result.kept.map((c) => c.date)).toEqual(['2027-03-22', '2027-04-19']);
    expect(result.skipped).toEqual([
      { date: '2027-03-26', reason: 'holiday', name: 'Viernes Santo' },
      { date: '2027-04-12', reason: 'recess', name: 'Pruebas' },
      { date: '2027-04-16', reason: 'holiday', name: 'Feriado regional' },
    ]);
  });
  test('gives each class its calendar date in the zone', () => {
    const [first] = occurrencesOf({ firstDate: '2027-03-22', untilDate: '2027-03-22', weekdays: [1], startTime: '23:30', endTime: '23:50' }, 'America/Santiago', 5);
    expect(first!.date).toBe('2027-03-22');
  });
});
