import { describe, expect, it } from 'vitest';
import { attendanceRate, computeStatus } from './results.js';

const rule = { plannedStart: new Date('2026-11-22T08:00:00Z'), lateAfterMinutes: 15 };
const at = (minutes: number) => new Date(rule.plannedStart.getTime() + minutes * 60_000);

describe('computeStatus', () => {
  it('is present with every round confirmed on time', () => {
    expect(computeStatus({ roundsRun: 3, roundsConfirmed: 3, firstConfirmedAt: at(2) }, rule)).toBe('present');
  });
  it('is partial with some rounds', () => {
    expect(computeStatus({ roundsRun: 3, roundsConfirmed: 1, firstConfirmedAt: at(2) }, rule)).toBe('partial');
  });
  it('is late when the first confirmation comes after the threshold, whatever the rounds', () => {
    expect(computeStatus({ roundsRun: 2, roundsConfirmed: 2, firstConfirmedAt: at(16) }, rule)).toBe('late');
    expect(computeStatus({ roundsRun: 2, roundsConfirmed: 2, firstConfirmedAt: at(15) }, rule)).toBe('present');
  });
  it('is absent with no confirmation', () => {
    expect(computeStatus({ roundsRun: 2, roundsConfirmed: 0, firstConfirmedAt: null }, rule)).toBe('absent');
  });
});

describe('attendanceRate', () => {
  it('counts attended sessions over the sessions that count, leaving excused ones out', () => {
    expect(attendanceRate(['present', 'partial', 'late', 'absent'])).toBe(0.75);
    expect(attendanceRate(['present', 'excused', 'absent'])).toBe(0.5);
    expect(attendanceRate(['manual_present', 'absent'])).toBe(0.5);
    expect(attendanceRate(['excused'])).toBeNull();
    expect(attendanceRate([])).toBeNull();
  });
});
