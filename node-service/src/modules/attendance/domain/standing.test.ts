import { describe, expect, test } from 'vitest';
import { minimumPercentProblem, outcomeOf, outcomesOf, recentOutcomes, standing, type Outcome, type Standing, type StandingRule } from './standing.js';

const times = (n: number, outcome: Outcome): Outcome[] => Array.from({ length: n }, () => outcome);

const rule = (minimumPercent: number, warnMargin = 2, earlyTermSessions = 5): StandingRule => ({ minimumPercent, warnMargin, earlyTermSessions });
/** `held` decided sessions of which `absent` missed, `pending` still to come. */
const term = (held: number, absent: number, pending: number): Outcome[] => [
  ...times(held - absent, 'present'),
  ...times(absent, 'absent'),
  ...times(pending, 'pending'),
];

describe('a student’s standing against the course minimum', () => {
  test('no sessions: no rate, nothing to afford, not at risk', () => {
    expect(standing([], rule(75))).toMatchObject({ rate: null, planned: 0, absences: 0, allowedAbsences: 0, absencesLeft: 0, projectedAbsences: null, earlyTerm: true, atRisk: false, reason: null });
  });

  test('present, late, partial and manual presence attend; absent does not; excused is left out', () => {
    const s = standing(['present', 'late', 'partial', 'manual_present', 'absent', 'excused'], rule(75));
    expect(s).toMatchObject({ rate: 4 / 5, attended: 4, counted: 5, absences: 1, planned: 5 });
    expect(s.totals).toEqual({ present: 2, late: 1, partial: 1, absent: 1, excused: 1 });
  });

  test('a partial class is worth what the course’s grade policy says: a whole class, half of one, or none', () => {
    const outcomes: Outcome[] = ['present', 'partial', 'partial', 'absent', ...times(6, 'pending')];
    expect(standing(outcomes, rule(70))).toMatchObject({ rate: 3 / 4, attended: 3, absences: 1, allowedAbsences: 3, absencesLeft: 2 });
    expect(standing(outcomes, { ...rule(70), points: { late: 1, partial: 1 } })).toMatchObject({ attended: 3, absences: 1 });
    // Half: two partials are one class attended and one missed; the half left over is not an absence to spend.
    expect(standing(outcomes, { ...rule(70), points: { late: 1, partial: 0.5 } })).toMatchObject({ rate: 2 / 4, attended: 2, absences: 2, absencesLeft: 1 });
    expect(standing(['partial', ...times(9, 'pending')], { ...rule(70), points: { late: 1, partial: 0.5 } })).toMatchObject({ absences: 0.5, allowedAbsences: 3, absencesLeft: 2 });
    // None: a partial class is an absence, and counts toward the risk like one.
    expect(standing(outcomes, { ...rule(70), points: { late: 1, partial: 0 } })).toMatchObject({ rate: 1 / 4, attended: 1, absences: 3, absencesLeft: 0, atRisk: true });
  });

  test('a justified absence (excused) is no absence: the same term with it justified is no longer at risk', () => {
    const missed = standing([...times(8, 'present'), 'absent', 'absent', 'absent', ...times(1, 'pending')], rule(75));
    expect(missed).toMatchObject({ absences: 3, atRisk: true, reason: 'pace' });
    const justified = standing([...times(8, 'present'), 'excused', 'absent', 'absent', ...times(1, 'pending')], rule(75));
    expect(justified).toMatchObject({ absences: 2, counted: 10, planned: 11, allowedAbsences: 2, atRisk: true, reason: 'few_absences_left' });
    expect(standing([...times(8, 'present'), 'excused', 'excused', 'absent', ...times(1, 'pending')], rule(75, 0))).toMatchObject({ absences: 1, absencesLeft: 1, atRisk: false });
  });

  test('a class in progress is pending: out of the rate, still planned', () => {
    const s = standing(['present', 'absent', 'pending'], rule(50));
    expect(s).toMatchObject({ rate: 0.5, counted: 2, pending: 1, planned: 3 });
    expect(outcomeOf({ status: 'absent', final: false })).toBe('pending');
    expect(outcomeOf({ status: 'present', final: false })).toBe('pending');
    expect(outcomeOf({ status: 'absent', final: true })).toBe('absent');
  });

  test('absences afforded over the sessions planned so far: 25 % of 16 is 4', () => {
    const s = standing(term(6, 1, 10), rule(75, 2));
    expect(s).toMatchObject({ planned: 16, allowedAbsences: 4, absences: 1, absencesLeft: 3, atRisk: false });
    // Checking the definition: three more absences end at 12/16, a fourth at 11/16.
    expect(12 / 16).toBeGreaterThanOrEqual(0.75);
    expect(11 / 16).toBeLessThan(0.75);
  });

  test('float arithmetic does not lose an absence (10 % of 10 is 1)', () => {
    expect(standing(times(10, 'pending'), rule(90)).allowedAbsences).toBe(1);
    expect(standing(times(10, 'pending'), rule(70)).allowedAbsences).toBe(3);
  });

  // The rule, case by case. Minimum 75 %, warn margin 2, the term young until 5 sessions have counted.
  // [case, held, absent, pending, expected]
  const cases: Array<[string, number, number, number, Partial<Standing>]> = [
    // The week: 4 of 35 held, one or two missed, six or seven still affordable. No alarm.
    ['4 of 35 held, 1 missed: early, 7 left, not at risk', 4, 1, 31, { earlyTerm: true, allowedAbsences: 8, absencesLeft: 7, atRisk: false, reason: null }],
    ['4 of 35 held, 2 missed (50 % so far): early, the pace is not judged yet', 4, 2, 31, { earlyTerm: true, absencesLeft: 6, projectedAbsences: 17.5, atRisk: false, reason: null }],
    ['nothing missed: never at risk, even with no absence to spare', 3, 0, 1, { allowedAbsences: 1, absencesLeft: 1, atRisk: false, reason: null }],
    ['past the early term, 1 in 6 missed: the pace ends at 5.8 of 8.75, fine', 6, 1, 29, { earlyTerm: false, projectedAbsences: 5.8, atRisk: false }],
    ['past the early term, 2 in 6 missed: at this pace 11.7 absences, over the 8.75 allowed', 6, 2, 29, { earlyTerm: false, absencesLeft: 6, projectedAbsences: 11.7, atRisk: true, reason: 'pace' }],
    ['6 missed of 28 held with 7 to come: pace fine (7.5), two left, at the margin', 28, 6, 7, { absencesLeft: 2, atRisk: true, reason: 'few_absences_left' }],
    ['5 missed of 24 held with 11 to come: three left, above the margin, pace fine', 24, 5, 11, { absencesLeft: 3, projectedAbsences: 7.3, atRisk: false }],
    ['early in the term, one absence left: at risk by the margin', 3, 1, 1, { earlyTerm: true, allowedAbsences: 1, absencesLeft: 0, atRisk: true, reason: 'few_absences_left' }],
    ['more absences than the plan can hold: out of reach', 3, 2, 1, { allowedAbsences: 1, absencesLeft: 0, atRisk: true, reason: 'out_of_reach' }],
    ['every class held, exactly at the minimum: not out of reach', 8, 2, 0, { rate: 0.75, absencesLeft: 0, projectedAbsences: 2, atRisk: true, reason: 'few_absences_left' }],
  ];
  test.each(cases)('%s', (_name, held, absent, pending, expected) => {
    expect(standing(term(held, absent, pending), rule(75, 2, 5))).toMatchObject(expected);
  });

  test('the warn margin is the setting’s: 0 warns only with no absence left, 3 warns earlier', () => {
    expect(standing(term(28, 6, 7), rule(75, 0))).toMatchObject({ absencesLeft: 2, atRisk: false });
    expect(standing(term(24, 5, 11), rule(75, 3))).toMatchObject({ absencesLeft: 3, atRisk: true, reason: 'few_absences_left' });
  });

  test('the early term is the setting’s: with 4 it is over after 4 sessions and the pace counts', () => {
    expect(standing(term(4, 2, 31), rule(75, 2, 4))).toMatchObject({ earlyTerm: false, atRisk: true, reason: 'pace' });
  });

  test('minimum 0 %: every session may be missed and nobody is at risk', () => {
    expect(standing([...times(4, 'absent'), 'pending'], rule(0))).toMatchObject({ rate: 0, allowedAbsences: 5, absencesLeft: 1, atRisk: false });
    expect(standing(times(4, 'absent'), rule(0))).toMatchObject({ absencesLeft: 0, atRisk: false });
  });

  test('minimum 100 %: no absence can be afforded; one absence is out of reach', () => {
    expect(standing([...times(3, 'present'), ...times(5, 'pending')], rule(100))).toMatchObject({ allowedAbsences: 0, absencesLeft: 0, atRisk: false });
    expect(standing([...times(3, 'present'), 'absent'], rule(100))).toMatchObject({ rate: 0.75, atRisk: true, reason: 'out_of_reach' });
    expect(standing(['present', 'excused'], rule(100))).toMatchObject({ rate: 1, atRisk: false });
  });

  test('exactly at a fractional minimum is not out of reach (62.5 % of 8)', () => {
    const outcomes = [...times(5, 'present'), ...times(3, 'absent')];
    expect(standing(outcomes, rule(62.5))).toMatchObject({ rate: 0.625, allowedAbsences: 3, absencesLeft: 0, reason: 'few_absences_left' });
    expect(standing(outcomes, rule(62.6))).toMatchObject({ reason: 'out_of_reach' });
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
