import { describe, expect, test } from 'vitest';
import { minimumPercentProblem, outcomeOf, outcomesOf, recentOutcomes, standing, type Outcome } from './standing.js';

const times = (n: number, outcome: Outcome): Outcome[] => Array.from({ length: n }, () => outcome);

describe('a student’s standing against the course minimum', () => {
  test('no sessions: no rate, nothing to afford, not at risk', () => {
    expect(standing([], 75)).toMatchObject({ rate: null, planned: 0, absences: 0, allowedAbsences: 0, absencesLeft: 0, atRisk: false, reason: null });
  });

  test('present, late, partial and manual presence attend; absent does not; excused is left out', () => {
    const s = standing(['present', 'late', 'partial', 'manual_present', 'absent', 'excused'], 75);
    expect(s).toMatchObject({ rate: 4 / 5, attended: 4, counted: 5, absences: 1, planned: 5 });
    expect(s.totals).toEqual({ present: 2, late: 1, partial: 1, absent: 1, excused: 1 });
  });

  test('all excused: no rate and nothing planned that counts, not at risk', () => {
    expect(standing(times(4, 'excused'), 75)).toMatchObject({ rate: null, counted: 0, planned: 0, absencesLeft: 0, atRisk: false });
  });

  test('a class in progress is pending: out of the rate, still planned', () => {
    const s = standing(['present', 'absent', 'pending'], 50);
    expect(s).toMatchObject({ rate: 0.5, counted: 2, pending: 1, planned: 3 });
    expect(outcomeOf({ status: 'absent', final: false })).toBe('pending');
    expect(outcomeOf({ status: 'present', final: false })).toBe('pending');
    expect(outcomeOf({ status: 'absent', final: true })).toBe('absent');
  });

  test('absences afforded over the sessions planned so far: 25 % of 16 is 4', () => {
    // 16 planned: 6 held (1 absence), 10 to come. Four absences in all keep 12/16 = 75 %.
    const outcomes = [...times(5, 'present'), 'absent' as const, ...times(10, 'pending')];
    expect(standing(outcomes, 75)).toMatchObject({ planned: 16, allowedAbsences: 4, absences: 1, absencesLeft: 3, atRisk: false });
    // Checking the definition: three more absences end at 12/16, a fourth at 11/16.
    expect(12 / 16).toBeGreaterThanOrEqual(0.75);
    expect(11 / 16).toBeLessThan(0.75);
  });

  test('no absence left after missing some: at risk, though still at the minimum', () => {
    const outcomes = [...times(3, 'present'), 'absent' as const];
    expect(standing(outcomes, 75)).toMatchObject({ rate: 0.75, allowedAbsences: 1, absencesLeft: 0, atRisk: true, reason: 'no_absences_left' });
  });

  test('below the minimum: at risk, nothing to afford', () => {
    const outcomes = ['present', 'absent', 'absent', ...times(5, 'pending')] as Outcome[];
    expect(standing(outcomes, 75)).toMatchObject({ rate: 1 / 3, allowedAbsences: 2, absencesLeft: 0, atRisk: true, reason: 'below_minimum' });
  });

  test('a student who has missed nothing is not listed just because few sessions are planned yet', () => {
    expect(standing(['present', 'pending'], 75)).toMatchObject({ allowedAbsences: 0, absencesLeft: 0, atRisk: false });
  });

  test('minimum 0 %: every session may be missed and nobody is at risk', () => {
    expect(standing([...times(4, 'absent'), 'pending'], 0)).toMatchObject({ rate: 0, allowedAbsences: 5, absencesLeft: 1, atRisk: false });
    expect(standing(times(4, 'absent'), 0)).toMatchObject({ absencesLeft: 0, atRisk: false });
  });

  test('minimum 100 %: no absence can be afforded; one absence is below the minimum', () => {
    expect(standing([...times(3, 'present'), ...times(5, 'pending')], 100)).toMatchObject({ allowedAbsences: 0, absencesLeft: 0, atRisk: false });
    expect(standing([...times(3, 'present'), 'absent'], 100)).toMatchObject({ rate: 0.75, atRisk: true, reason: 'below_minimum' });
    expect(standing(['present', 'excused'], 100)).toMatchObject({ rate: 1, atRisk: false });
  });

  test('exactly at a fractional minimum is not below it (62.5 % of 8)', () => {
    const outcomes = [...times(5, 'present'), ...times(3, 'absent')];
    expect(standing(outcomes, 62.5)).toMatchObject({ rate: 0.625, allowedAbsences: 3, absencesLeft: 0, reason: 'no_absences_left' });
    expect(standing(outcomes, 62.6)).toMatchObject({ reason: 'below_minimum' });
  });

  test('float arithmetic does not lose an absence (10 % of 10 is 1)', () => {
    expect(standing(times(10, 'pending'), 90).allowedAbsences).toBe(1);
    expect(standing(times(10, 'pending'), 70).allowedAbsences).toBe(3);
  });
});

describe('a course minimum', () => {
  test('a percentage from 0 to 100, at most one decimal', () => {
    for (const ok of [0, 1, 62.5, 75, 100]) expect(minimumPercentProblem(ok)).toBeNull();
    for (const bad of [-1, 100.5, 75.25, Number.NaN, Number.POSITIVE_INFINITY]) expect(minimumPercentProblem(bad)).toMatch(/expected/);
  });

  test('a fraction typed by mistake is refused, saying what was probably meant', () => {
    expect(minimumPercentProblem(0.75)).toMatch(/75 for 75 %/);
  });
});

describe('outcomes over a course’s sessions', () => {
  const sessions = [
    { id: 'a', state: 'closed' as const },
    { id: 'b', state: 'closed' as const },
    { id: 'c', state: 'open' as const },
    { id: 'd', state: 'scheduled' as const },
  ];
  test('a roster student: decided, running and scheduled sessions; a closed one without a result is not theirs', () => {
    const results = new Map([
      ['a', { status: 'absent' as const, final: true }],
      ['c', { status: 'present' as const, final: false }],
    ]);
    expect(outcomesOf(sessions, results, true)).toEqual(['absent', 'pending', 'pending']);
  });

  test('a walk-in counts only the sessions they took part in', () => {
    expect(outcomesOf(sessions, new Map([['b', { status: 'present' as const, final: true }]]), false)).toEqual(['present']);
  });

  test('the recent trend is the last decided outcomes, oldest first', () => {
    expect(recentOutcomes(['present', 'absent', 'late', 'pending', 'excused', 'pending'], 3)).toEqual(['absent', 'late', 'excused']);
    expect(recentOutcomes(['pending'], 5)).toEqual([]);
  });
});
