import { describe, expect, test } from 'vitest';
import { verdictOf, type Standing } from './standing';

const base: Standing = { attended: 3, counted: 4, absences: 1, pending: 31, planned: 35, allowedAbsences: 8, absencesLeft: 7, projectedAbsences: 8.8, earlyTerm: true, atRisk: false, reason: null };

describe('the words of a standing', () => {
  test('early in the term, with absences to spare: how many more may be missed, no alarm', () => {
    expect(verdictOf(base)).toEqual({ key: 'left', vars: { count: 7 } });
    expect(verdictOf({ ...base, absencesLeft: 1 })).toEqual({ key: 'leftOne', vars: {} });
  });
  test('each risk has its sentence', () => {
    expect(verdictOf({ ...base, atRisk: true, reason: 'out_of_reach', absencesLeft: 0 })).toEqual({ key: 'outOfReach', vars: { planned: 35 } });
    expect(verdictOf({ ...base, earlyTerm: false, atRisk: true, reason: 'pace', absencesLeft: 6, projectedAbsences: 11.7 })).toEqual({ key: 'pace', vars: { count: 6, projected: 12, allowed: 8 } });
    expect(verdictOf({ ...base, atRisk: true, reason: 'few_absences_left', absencesLeft: 0 })).toEqual({ key: 'noneLeft', vars: {} });
    expect(verdictOf({ ...base, atRisk: true, reason: 'few_absences_left', absencesLeft: 2 })).toEqual({ key: 'left', vars: { count: 2 } });
  });
});
