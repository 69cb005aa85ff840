import { describe, expect, test } from 'vitest';
import { bySurname, statusTotals, surnameFirst } from './report.js';

describe('surname-first order', () => {
  test('the surnames lead the sorting key', () => {
    expect(surnameFirst('Luis Pérez')).toBe('Pérez Luis');
    expect(surnameFirst('Luis Alberto Pérez Soto')).toBe('Pérez Soto Luis Alberto');
    expect(surnameFirst('Ana Gómez Soto')).toBe('Gómez Soto Ana');
    expect(surnameFirst('Cher')).toBe('Cher');
  });

  test('a roster sorts by surname, accents folded', () => {
    const names = ['Luis Pérez', 'María Gómez', 'José Núñez', 'Ana Álvarez'];
    expect([...names].sort(bySurname)).toEqual(['Ana Álvarez', 'María Gómez', 'José Núñez', 'Luis Pérez']);
  });
});

describe('status totals', () => {
  test('count each status, manual presence as present and a manual absence as absent', () => {
    expect(statusTotals(['present', 'manual_present', 'late', 'partial', 'absent', 'manual_absent', 'excused'])).toEqual({
      present: 2, late: 1, partial: 1, absent: 2, excused: 1,
    });
  });
});
