import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../shared/errors.js';
import { assertCanClose, assertCanOpen, assertValidPlan, nextRound, roundToEnd, type Session } from './session.js';

const session = (overrides: Partial<Session> = {}): Session => ({
  id: 's1',
  courseId: 'MAT101',
  courseName: 'Cálculo I',
  teacherId: '1',
  room: 'A-101',
  plannedStart: new Date('2026-11-22T08:00:00Z'),
  plannedEnd: new Date('2026-11-22T09:30:00Z'),
  state: 'open',
  openedAt: new Date('2026-11-22T08:00:00Z'),
  closedAt: null,
  roundsStarted: 0,
  currentRound: null,
  roundsPlanned: 3,
  rotationPeriodMs: 3000,
  graceMs: 3000,
  lateAfterMinutes: 15,
  allowedNetworks: [],
  fallbackCodeEnabled: false,
  rosterPolicy: 'refuse',
  seriesId: null,
  ...overrides,
});

const codeOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return (error as AppError).code;
  }
  return 'no error';
};

describe('session rules', () => {
  it('starts rounds in order while open, one at a time, never more than planned', () => {
    expect(nextRound(session())).toBe(1);
    expect(nextRound(session({ roundsStarted: 2 }))).toBe(3);
    expect(codeOf(() => nextRound(session({ roundsStarted: 1, currentRound: 1 })))).toBe('ROUND_ALREADY_OPEN');
    expect(codeOf(() => nextRound(session({ roundsStarted: 3 })))).toBe('ROUNDS_EXHAUSTED');
  });

  it('refuses rounds in a session that is not open', () => {
    expect(codeOf(() => nextRound(session({ state: 'scheduled' })))).toBe('SESSION_NOT_OPEN');
    expect(codeOf(() => nextRound(session({ state: 'closed' })))).toBe('SESSION_CLOSED');
  });

  it('ends only a running round', () => {
    expect(roundToEnd(session({ roundsStarted: 1, currentRound: 1 }))).toBe(1);
    expect(codeOf(() => roundToEnd(session()))).toBe('ROUND_NOT_OPEN');
    expect(codeOf(() => roundToEnd(session({ state: 'closed' })))).toBe('SESSION_CLOSED');
  });

  it('opens a scheduled session once, closes any session once', () => {
    expect(codeOf(() => assertCanOpen(session({ state: 'scheduled' })))).toBe('no error');
    expect(codeOf(() => assertCanOpen(session()))).toBe('SESSION_ALREADY_OPEN');
    expect(codeOf(() => assertCanOpen(session({ state: 'closed' })))).toBe('SESSION_CLOSED');
    expect(codeOf(() => assertCanClose(session({ state: 'scheduled' })))).toBe('no error');
    expect(codeOf(() => assertCanClose(session({ state: 'closed' })))).toBe('SESSION_CLOSED');
  });

  it('checks the plan: end after start, period within bounds', () => {
    const bounds = { minMs: 1000, maxMs: 30_000 };
    const start = new Date('2026-11-22T08:00:00Z');
    const plan = (end: Date, rotationPeriodMs: number, graceMs = rotationPeriodMs) =>
      codeOf(() => assertValidPlan({ plannedStart: start, plannedEnd: end, rotationPeriodMs, graceMs }, bounds));
    expect(plan(start, 3000)).toBe('SESSION_INVALID_TIMES');
    const end = new Date('2026-11-22T09:00:00Z');
    expect(plan(end, 500)).toBe('SESSION_INVALID_PERIOD');
    expect(plan(end, 3000, 3001)).toBe('SESSION_INVALID_GRACE');
    expect(plan(end, 3000)).toBe('no error');
    expect(plan(end, 3000, 0)).toBe('no error');
  });
});
