import type { SqlExecutor } from '../../../shared/storage/sql.js';
import type { Session, SessionPolicy } from '../domain/session.js';

export interface NewSession extends SessionPolicy {
  courseId: string;
  courseName: string;
  teacherId: string;
  room: string;
  plannedStart: Date;
  plannedEnd: Date;
}

export interface RoundSummary {
  number: number;
  startedAt: Date;
  endedAt: Date | null;
  confirmed: number;
}

export interface RosterRow {
  studentId: string;
  studentName: string;
  source: 'roster' | 'walk_in';
  flagged: boolean;
  roundsConfirmed: number[];
}

export interface LiveCount {
  round: number | null;
  confirmed: number;
  expected: number;
}

export interface SessionRepository {
  insert(session: NewSession): Promise<Session>;
  find(id: string): Promise<Session | null>;
  listForTeacher(teacherId: string, limit: number): Promise<Session[]>;
  listAll(limit: number): Promise<Session[]>;
  /** Runs `work` in a transaction holding the session's row lock, so transitions never race. */
  withLockedSession<T>(id: string, work: (session: Session, tx: SqlExecutor) => Promise<T>): Promise<T>;
  markOpen(tx: SqlExecutor, id: string, roster: Array<{ id: string; name: string }>): Promise<void>;
  insertRound(tx: SqlExecutor, id: string, number: number): Promise<void>;
  endRound(tx: SqlExecutor, id: string, number: number): Promise<void>;
  markClosed(tx: SqlExecutor, id: string): Promise<void>;
  rounds(id: string): Promise<RoundSummary[]>;
  roster(id: string): Promise<RosterRow[]>;
  liveCount(id: string): Promise<LiveCount>;
}

/** What other instances and the projectors hear about a session. */
export type SessionEvent =
  | { type: 'session.updated'; sessionId: string }
  | { type: 'count'; sessionId: string; count: LiveCount };

export interface SessionEvents {
  publish(event: SessionEvent): Promise<void>;
  /** Resolves once listening; the returned function stops listening. */
  subscribe(sessionId: string, listener: (event: SessionEvent) => void): Promise<() => Promise<void>>;
}

/** Ends a round's live QR codes at once (implemented by the projection module). */
export interface LiveCodeInvalidator {
  invalidate(sessionId: string, round: number, rotation: { periodMs: number; graceMs: number }): Promise<void>;
}
