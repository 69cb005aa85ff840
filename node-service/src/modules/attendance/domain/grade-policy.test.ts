import { describe, expect, test } from 'vitest';
import { attendanceRate, type ResultStatus } from './results.js';
import { DEFAULT_GRADE_POLICY, gradeOf, policyName, type GradePolicy } from './grade-policy.js';
import type { Outcome } from './standing.js';

const times = (n: number, outcome: Outcome): Outcome[] => Array.from({ length: n }, () => outcome);
const policy = (change: Partial<Omit<GradePolicy, 'points'>> & { late?: number; partial?: number } = {}): GradePolicy => ({
  basis: change.basis ?? 'to_date',
  dropLowest: change.dropLowest ?? 0,
  points: { late: change.late ?? 1, partial: change.partial ?? 1 },
  absencePenalty: change.absencePenalty ?? 0,
});

/**
 * Ana's term in a course with a minimum of 75 %: 8 classes present, 1 late, 1 partial, 2 absent, 1 excused
 * (a justified absence: out of everything) and 3 classes still to come. Held and counted: 12.
 */
const ana: Outcome[] = [...times(8, 'present'), 'late', 'partial', 'absent', 'absent', 'excused', ...times(3, 'pending')];

describe('a grade under a policy, against a table computed by hand', () => {
  // [policy, what it is, score by hand, over, dropped, penalised, passes at 75 %]
  const table: Array<[GradePolicy, string, number, number, number, number, boolean]> = [
    [DEFAULT_GRADE_POLICY, 'default: 10 of 12 held', 10 / 12, 12, 0, 2, true],
    [policy({ basis: 'all_scheduled' }), 'all scheduled: 10 of 15, the 3 to come as 0', 10 / 15, 15, 0, 2, false],
    [policy({ dropLowest: 2 }), 'drop 2: both absences forgiven, 10 of 10', 1, 10, 2, 0, true],
    [policy({ late: 0.5, partial: 0.5 }), 'late and partial half: 9 of 12', 9 / 12, 12, 0, 2, true],
    [policy({ absencePenalty: 5 }), '5 points per absence: 10/12 − 10 points', 10 / 12 - 0.1, 12, 0, 2, false],
    // Ranked: absent, absent, partial (0), late (0.5), 8 present. One absence dropped: 8.5 over 11 held + 3 to come, then −2 points.
    [policy({ basis: 'all_scheduled', dropLowest: 1, late: 0.5, partial: 0, absencePenalty: 2 }), 'all four at once', 8.5 / 14 - 0.02, 14, 1, 1, false],
    // Absences go first, then the partial worth 0: 8 present and 1 late (1) over 9.
    [policy({ dropLowest: 3, partial: 0 }), 'drop 3 with partial worth 0: the partial goes too', 1, 9, 3, 0, true],
  ];
  test.each(table)('%# %s', (rule, _what, score, over, dropped, penalised, passes) => {
    const grade = gradeOf(ana, rule, 75);
    expect(grade.score).toBeCloseTo(score, 12);
    expect(grade).toMatchObject({ over, dropped, penalised, passes });
  });

  test('exactly the minimum passes (75 % of 12 held is 9 points: the float sum is not trusted)', () => {
    expect(gradeOf(ana, policy({ late: 0.5, partial: 0.5 }), 75).passes).toBe(true);
    expect(gradeOf(ana, policy({ late: 0.5, partial: 0.45 }), 75).passes).toBe(false);
  });

  test('only justified absences held: no grade to date; over the whole term, the class to come is 0', () => {
    const justified: Outcome[] = ['excused', 'excused', 'pending'];
    expect(gradeOf(justified, DEFAULT_GRADE_POLICY, 75)).toMatchObject({ score: null, over: 0, passes: null });
    expect(gradeOf(justified, policy({ basis: 'all_scheduled' }), 75)).toMatchObject({ score: 0, over: 1, passes: false });
    expect(gradeOf([], policy({ basis: 'all_scheduled' }), 75)).toMatchObject({ score: null, over: 0 });
  });

  test('more to drop than classes held drops them all; classes to come are never dropped', () => {
    const missed: Outcome[] = ['absent', 'manual_absent', 'pending', 'pending'];
    expect(gradeOf(missed, policy({ dropLowest: 5 }), 75)).toMatchObject({ score: null, dropped: 2 });
    expect(gradeOf(missed, policy({ dropLowest: 5, basis: 'all_scheduled' }), 75)).toMatchObject({ score: 0, over: 2, dropped: 2 });
  });

  test('manual presence is present, a manual absence an absence; the penalty never takes a grade below 0', () => {
    expect(gradeOf(['manual_present', 'manual_absent', 'late'], DEFAULT_GRADE_POLICY, 75).score).toBeCloseTo(2 / 3, 12);
    expect(gradeOf(['manual_present', 'manual_absent', 'late'], policy({ dropLowest: 1 }), 75).score).toBe(1);
    expect(gradeOf(['present', 'absent', 'absent', 'absent'], policy({ absencePenalty: 30 }), 75)).toMatchObject({ score: 0, penalised: 3, passes: false });
  });

  test('the default policy gives every record its attendance rate exactly: no figure changes', () => {
    const records: ResultStatus[][] = [
      ['present'],
      ['absent', 'excused'],
      ['present', 'late', 'partial', 'absent', 'manual_present', 'manual_absent', 'excused'],
      ['partial', 'partial', 'absent'],
      ['late', 'late', 'present', 'absent', 'absent', 'absent', 'excused'],
    ];
    for (const record of records) {
      expect(gradeOf([...record, 'pending'], DEFAULT_GRADE_POLICY, 75).score).toBe(attendanceRate(record));
    }
  });
});

describe('a policy’s name', () => {
  test('says the basis and what is dropped, and the rest only when it differs from the default', () => {
    expect(policyName(DEFAULT_GRADE_POLICY, 'es')).toBe('a la fecha, sin descartar');
    expect(policyName(DEFAULT_GRADE_POLICY, 'en')).toBe('to date, nothing dropped');
    expect(policyName(policy({ dropLowest: 1 }), 'es')).toBe('a la fecha, descartando la clase más baja');
    expect(policyName(policy({ basis: 'all_scheduled', dropLowest: 2, late: 0.5, partial: 0.25, absencePenalty: 2.5 }), 'es')).toBe(
      'sobre todas las clases programadas, descartando las 2 clases más bajas, atraso vale 0,5, parcial vale 0,25, −2,5 puntos por ausencia',
    );
    expect(policyName(policy({ basis: 'all_scheduled', dropLowest: 2, partial: 0 }), 'en')).toBe('over all scheduled classes, lowest 2 classes dropped, partial worth 0');
  });
});
