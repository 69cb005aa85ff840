import type { SqlExecutor } from '../../../shared/storage/sql.js';
import type { Session, SessionPolicy } from '../domain/session.js';
import type { ResultStatus } from '../domain/results.js';
import type { GradePolicy } from '../domain/grade-policy.js';
import type { AttachmentType, JustificationState } from '../domain/justification.js';
import type { SpotCheck, SpotCheckOutcome } from '../domain/spot-check.js';
import type { Recess, SkippedDate } from '../domain/series.js';

export interface NewSession extends SessionPolicy {
  courseId: string;
  courseName: string;
  teacherId: string;
  room: string;
  plannedStart: Date;
  plannedEnd: Date;
}

interface NewSeries {
  courseId: string;
  teacherId: string;
  weekdays: number[];
  startTime: string;
  endTime: string;
  firstDate: string;
  untilDate: string;
  timeZone: string;
  /** The recesses the teacher gave and every date left out (holidays and recesses), as made. */
  recesses: Recess[];
  skipped: SkippedDate[];
}

export interface Holiday {
  /** `YYYY-MM-DD`. */
  date: string;
  name: string;
}

/** Public holidays (feriados): no series makes a class on one. */
export interface HolidayRepository {
  list(): Promise<Holiday[]>;
  /** The holidays from `from` to `until` (both included), by date. */
  between(from: string, until: string): Promise<Map<string, string>>;
  /** Adds a holiday or renames the one on that date. */
  put(holiday: Holiday, actor: { id: string }): Promise<void>;
  /** False when there was none on that date. */
  remove(date: string): Promise<boolean>;
}

/** What may change in a session before it opens. */
export interface SessionChanges {
  room?: string;
  plannedStart?: Date;
  plannedEnd?: Date;
  roundsPlanned?: number;
}

/** A page of sessions: of some courses, optionally one course's, in a time range, after a cursor. */
interface SessionQuery {
  /** The courses a person teaches or staffs; null: every course's (an admin). */
  courseIds: string[] | null;
  courseId?: string;
  /** Planned start at or after `from` and before `until`. */
  from?: Date;
  until?: Date;
  order: 'asc' | 'desc';
  /** The last session of the previous page. */
  after?: { plannedStart: Date; id: string };
  limit: number;
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
  /** Every alert the student's confirmations carried (device alerts, a recent re-binding), each once. */
  alerts: string[];
  /** The result shown (null before the session opens). */
  status: ResultStatus | null;
  overrideReason: string | null;
  /** When the student first confirmed in this session (null: not yet). */
  firstConfirmedAt: Date | null;
  /** What the teacher marked the last time the student was called at random (null: never called). */
  spotCheck: SpotCheckOutcome | null;
  /** Erased at their request (privacy): named "Estudiante eliminado", no longer corrected. */
  erased: boolean;
  /** The latest scan of the student refused in this session (null: none): the teacher may mark them present. */
  attempt: { code: string; at: Date; count: number } | null;
}

export interface LiveCount {
  round: number | null;
  confirmed: number;
  expected: number;
}

export interface SessionRepository {
  insert(session: NewSession): Promise<Session>;
  find(id: string): Promise<Session | null>;
  /** Inserts a series and its sessions, all or none. */
  insertSeries(series: NewSeries, sessions: NewSession[]): Promise<{ seriesId: string; sessions: Session[] }>;
  /** Inserts sessions made together (an imported timetable), all or none. */
  insertMany(sessions: NewSession[]): Promise<Session[]>;
  /**
   * Runs `work` in one transaction holding the row locks of the series' sessions that start at or after
   * `from` (all of them when null), oldest first: a series change is all or none, and never races an opening.
   */
  withLockedSeries<T>(seriesId: string, from: Date | null, work: (sessions: Session[], tx: SqlExecutor) => Promise<T>): Promise<T>;
  list(query: SessionQuery): Promise<Session[]>;
  /** Changes a locked session and audits the change (before and after) in `tx`. */
  update(tx: SqlExecutor, before: Session, changes: SessionChanges, actor: { id: string; role: string }): Promise<void>;
  /** Deletes a locked session and audits what it was in `tx`. */
  remove(tx: SqlExecutor, before: Session, actor: { id: string; role: string }): Promise<void>;
  /** Runs `work` in a transaction holding the session's row lock, so transitions never race. */
  withLockedSession<T>(id: string, work: (session: Session, tx: SqlExecutor) => Promise<T>): Promise<T>;
  markOpen(tx: SqlExecutor, id: string, roster: Array<{ id: string; name: string }>): Promise<void>;
  insertRound(tx: SqlExecutor, id: string, number: number): Promise<void>;
  endRound(tx: SqlExecutor, id: string, number: number): Promise<void>;
  markClosed(tx: SqlExecutor, id: string): Promise<void>;
  /** Recomputes every registered student's result in `tx` (final at close). */
  refreshResults(tx: SqlExecutor, session: Session, roundsRun: number, final: boolean): Promise<void>;
  rounds(id: string): Promise<RoundSummary[]>;
  roster(id: string): Promise<RosterRow[]>;
  liveCount(id: string): Promise<LiveCount>;
}

export type WalkInDecision = 'accepted' | 'rejected';

export interface WalkInRepository {
  /** Walk-ins of these sessions still named by their id. */
  unnamed(sessionIds: string[]): Promise<string[]>;
  /** Names a walk-in (every registration still holding the placeholder). */
  rename(studentId: string, name: string): Promise<void>;
  /** Accepts (clears the flag) or rejects (removes the registration, its confirmations and result); audited. Null: no such walk-in. */
  review(input: {
    sessionId: string;
    studentId: string;
    decision: WalkInDecision;
    reason: string;
    actor: { id: string; role: string };
  }): Promise<{ studentId: string; studentName: string; decision: WalkInDecision; confirmationsRemoved: number } | null>;
}

/**
 * Told when a course's grades may have changed: a class closed, attendance corrected, a justification
 * approved, the grade policy changed (app.ts wires the LTI module here, which posts them to the LMS). Cheap
 * and never throws: the change is already committed when it is told.
 */
export interface GradeChanges {
  changed(courseId: string): void;
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

export interface ConfirmationRequest {
  sessionId: string;
  round: number;
  slot: number;
  /** From the verified passkey's device row: never from a request body. */
  studentId: string;
  deviceId: number;
  clientAddress: string | null;
  /** What the device carried (its alerts, a recent re-binding): shown to the teacher with the confirmation. */
  alerts: string[];
  /**
   * The verified assertion's sign counter and backup state, recorded on the device in the same commit, and
   * the phone key that signed: recorded only while the device is still bound to it.
   */
  deviceUse: { signCount: number; backedUp?: boolean; phoneKeyId: string };
  /**
   * The scan's receipt, kept in the same transaction when the validation is new: the JSON document the
   * evidence module's `evidence.keep_receipts` stores (database/functions/evidence.keep_receipts.sql).
   */
  receipt?: Record<string, unknown>;
}

export interface ConfirmationResult {
  outcome: 'confirmed' | 'already_confirmed';
  walkIn: boolean;
  session: { id: string; courseName: string; room: string };
  round: number;
}

/** The device's use could not be recorded (revoked, flagged or re-bound meanwhile, or its counter is no longer behind). */
export type UseNotRecorded = { outcome: 'use_not_recorded' };

export interface ConfirmationRepository {
  /** One validation per (session, round, student), committed with the student's result and the device's use; idempotent. */
  record(request: ConfirmationRequest): Promise<ConfirmationResult | UseNotRecorded>;
  /** Adds an alert to the student's validation of that round, if there is one (each alert once). */
  addAlert(key: { sessionId: string; round: number; studentId: string }, alert: string): Promise<void>;
  /** Notes a scan of the student refused in the session (the error code): the roster shows the latest. */
  noteAttempt(key: { sessionId: string; studentId: string }, code: string): Promise<void>;
}

export interface SessionResultRow {
  studentId: string;
  studentName: string;
  status: ResultStatus;
  computedStatus: ResultStatus;
  roundsConfirmed: number;
  firstConfirmedAt: Date | null;
  walkIn: boolean;
  overrideReason: string | null;
  /** Every alert the student's confirmations carried, each once. */
  alerts: string[];
  /** The last spot check's mark for the student (null: never called). */
  spotCheck: SpotCheckOutcome | null;
}

/** The reads of results alone (infrastructure/report-repository.ts), on the primary or on a standby. */
export type ResultReader = Pick<ReportRepository, 'sessionResults' | 'courseResults' | 'studentResults'>;

export interface ReportRepository {
  /** Applies a correction and audits it; null when the student has no result in that session. */
  correct(input: {
    sessionId: string;
    studentId: string;
    status: 'excused' | 'manual_present' | 'manual_absent' | 'computed';
    reason: string;
    actor: { id: string; role: string };
  }): Promise<SessionResultRow | null>;
  /** The same correction for several students, all or none (null when one has no result), each audited. */
  correctMany(input: {
    sessionId: string;
    studentIds: string[];
    status: 'excused' | 'manual_present' | 'manual_absent' | 'computed';
    reason: string;
    actor: { id: string; role: string };
  }): Promise<SessionResultRow[] | null>;
  sessionResults(sessionId: string): Promise<SessionResultRow[]>;
  courseResults(courseId: string): Promise<{
    sessions: Array<{ id: string; plannedStart: Date; room: string }>;
    results: Array<{ sessionId: string; studentId: string; studentName: string; status: ResultStatus; final: boolean }>;
  }>;
  /** The student's result in each session of theirs that has opened; `final` once the session closed. */
  studentResults(studentId: string): Promise<
    Array<{
      sessionId: string;
      courseId: string;
      plannedStart: Date;
      room: string;
      status: ResultStatus;
      roundsConfirmed: number;
      roundsRun: number;
      final: boolean;
      /** The student's last spot-check mark in the session (null: never called). */
      spotCheck: SpotCheckOutcome | null;
    }>
  >;
}

/** A session planned for a course, whatever its state (what "the sessions planned so far" counts). */
export interface CourseSessionRow {
  id: string;
  courseId: string;
  plannedStart: Date;
  room: string;
  state: 'scheduled' | 'open' | 'closed';
}

export interface CourseMinimumRepository {
  /** The minimums courses set for themselves, in percent; a course absent from the map uses the default. */
  minimums(courseIds: string[]): Promise<Map<string, number>>;
  /** Sets a course's minimum (null: back to the default) and audits it; answers the value it replaced. */
  setMinimum(input: {
    courseId: string;
    percent: number | null;
    reason: string;
    actor: { id: string; role: string };
  }): Promise<{ previous: number | null }>;
  /** The grade policies courses chose; a course absent from the map has the default (domain/grade-policy.ts). */
  gradePolicies(courseIds: string[]): Promise<Map<string, GradePolicy>>;
  /** Sets a course's grade policy and audits it; answers the policy it replaced (null: the default). */
  setGradePolicy(input: { courseId: string; policy: GradePolicy; reason: string; actor: { id: string; role: string } }): Promise<{ previous: GradePolicy | null }>;
  /** Every session of these courses, scheduled ones included, oldest first. */
  courseSessions(courseIds: string[]): Promise<CourseSessionRow[]>;
}

/** Spot checks ("Llamar al azar", domain/spot-check.ts). */
interface MarkInput {
  sessionId: string;
  checkId: number;
  studentId: string;
  outcome: 'answered' | 'no_answer';
  reason: string | null;
  actor: { id: string; role: string };
  /** Whether the mark needs a reason, given the call's outcome until now (domain/spot-check.ts). */
  needsReason(from: SpotCheckOutcome): boolean;
}

export type MarkResult =
  | { kind: 'not_found' }
  | { kind: 'reason_required' }
  | { kind: 'marked'; previous: SpotCheckOutcome; devices: number[] };

export interface SpotCheckRepository {
  /** Who may be drawn: confirmed (in `round`, or in any round when null), not corrected, not called before in the session. */
  candidates(sessionId: string, round: number | null): Promise<Array<{ studentId: string; studentName: string }>>;
  /** Records a draw and its calls, together. */
  record(sessionId: string, round: number | null, actor: { id: string; role: string }, studentIds: string[]): Promise<number>;
  /** The session's draws, newest first, each with its calls. */
  list(sessionId: string): Promise<SpotCheck[]>;
  /**
   * The teacher's mark, in one transaction with what it changes: `no_answer` corrects the result to
   * 'manual_absent' (audited); undoing it corrects the result back to what the rounds earn. Answers the
   * devices that confirmed for the student in this session (flagged on `no_answer`).
   */
  mark(input: MarkInput): Promise<MarkResult>;
}

/** The enrollment module's side of a missed spot check: the device is put before an admin. */
export interface DeviceAlerts {
  spotCheckMissed(deviceId: number, details: Record<string, unknown>, actor: { id: string; role: string }): Promise<void>;
}

/** A student's request to justify an absence, with the teacher's decision once made (never the document's bytes). */
export interface Justification {
  id: string;
  sessionId: string;
  courseId: string;
  courseName: string;
  /** The class's teacher: who decides. */
  teacherId: string;
  plannedStart: Date;
  room: string;
  studentId: string;
  studentName: string;
  reason: string;
  attachment: { type: AttachmentType; name: string; bytes: number } | null;
  state: JustificationState;
  requestedAt: Date;
  decision: { by: { id: string; name: string; role: 'teacher' | 'admin' }; at: Date; note: string | null } | null;
}

export interface JustificationRepository {
  /** The student's result in the class, with when the class was planned; null when they have none there. */
  resultOf(sessionId: string, studentId: string): Promise<{ status: ResultStatus; final: boolean; plannedStart: Date } | null>;
  create(input: {
    sessionId: string;
    studentId: string;
    reason: string;
    attachment: { bytes: Buffer; type: AttachmentType; name: string } | null;
  }): Promise<Justification | 'already_pending'>;
  find(id: string): Promise<Justification | null>;
  /** Decides a pending request; an approval makes the result 'excused' by an audited correction, in the same transaction. */
  decide(input: {
    id: string;
    decision: 'approved' | 'rejected';
    note: string | null;
    actor: { id: string; name: string; role: 'teacher' | 'admin' };
    correctionReason: string;
  }): Promise<Justification | 'already_decided'>;
  ofStudent(studentId: string): Promise<Justification[]>;
  ofCourse(courseId: string): Promise<Justification[]>;
  attachment(id: string): Promise<{ bytes: Buffer; type: AttachmentType; name: string } | null>;
}
