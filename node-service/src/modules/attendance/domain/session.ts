import { attendanceErrors } from './errors.js';

/**
 * A class session and the rules of its life: scheduled → open → closed; rounds numbered from 1, at most
 * one running, never more than planned, none once closed. Pure: the application persists what these return.
 */
type SessionState = 'scheduled' | 'open' | 'closed';
type RosterPolicy = 'refuse' | 'flag';

export interface SessionPolicy {
  roundsPlanned: number;
  rotationPeriodMs: number;
  graceMs: number;
  lateAfterMinutes: number;
  allowedNetworks: string[];
  fallbackCodeEnabled: boolean;
  rosterPolicy: RosterPolicy;
}

export interface Session extends SessionPolicy {
  id: string;
  courseId: string;
  courseName: string;
  /** Who planned it; who may act on it is the course's business (directory/domain/course-rights.ts). */
  teacherId: string;
  room: string;
  plannedStart: Date;
  plannedEnd: Date;
  state: SessionState;
  openedAt: Date | null;
  closedAt: Date | null;
  /** Rounds started so far (the number of the latest one). */
  roundsStarted: number;
  /** The running round's number, or null. */
  currentRound: number | null;
  /** The weekly series that made it, if any; it is edited and deleted on its own all the same. */
  seriesId: string | null;
}

export interface PeriodBounds {
  minMs: number;
  maxMs: number;
}

export function assertValidPlan(
  input: { plannedStart: Date; plannedEnd: Date; rotationPeriodMs: number; graceMs: number },
  bounds: PeriodBounds,
): void {
  if (input.plannedEnd.getTime() <= input.plannedStart.getTime()) throw attendanceErrors.SESSION_INVALID_TIMES();
  if (input.rotationPeriodMs < bounds.minMs || input.rotationPeriodMs > bounds.maxMs) {
    throw attendanceErrors.SESSION_INVALID_PERIOD({ min: bounds.minMs, max: bounds.maxMs });
  }
  // A grace longer than one period would let codes older than the previous one scan.
  if (input.graceMs > input.rotationPeriodMs) throw attendanceErrors.SESSION_INVALID_GRACE({ period: input.rotationPeriodMs });
}

export function assertCanOpen(session: Session): void {
  if (session.state === 'closed') throw attendanceErrors.SESSION_CLOSED();
  if (session.state === 'open') throw attendanceErrors.SESSION_ALREADY_OPEN();
}

/** The number of the round to start. */
export function nextRound(session: Session): number {
  if (session.state === 'closed') throw attendanceErrors.SESSION_CLOSED();
  if (session.state !== 'open') throw attendanceErrors.SESSION_NOT_OPEN();
  if (session.currentRound !== null) throw attendanceErrors.ROUND_ALREADY_OPEN({ round: session.currentRound });
  if (session.roundsStarted >= session.roundsPlanned) throw attendanceErrors.ROUNDS_EXHAUSTED({ planned: session.roundsPlanned });
  return session.roundsStarted + 1;
}

/** The number of the running round, to end it. */
export function roundToEnd(session: Session): number {
  if (session.state === 'closed') throw attendanceErrors.SESSION_CLOSED();
  if (session.currentRound === null) throw attendanceErrors.ROUND_NOT_OPEN();
  return session.currentRound;
}

export function assertCanClose(session: Session): void {
  if (session.state === 'closed') throw attendanceErrors.SESSION_CLOSED();
}

/** Room, times and rounds may change only before the session opens: afterwards they are what happened. */
export function assertCanEdit(session: Session): void {
  if (session.state !== 'scheduled') throw attendanceErrors.SESSION_NOT_EDITABLE();
}

/** Only a session that never opened may go: once opened it holds registrations and perhaps attendance. */
export function assertCanDelete(session: Session): void {
  if (session.state !== 'scheduled' || session.openedAt !== null) throw attendanceErrors.SESSION_NOT_DELETABLE();
}
