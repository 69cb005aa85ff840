import type { SqlExecutor } from '../../../shared/storage/sql.js';
import type { Identity } from '../../auth/index.js';
import type { CourseDirectory } from '../../directory/index.js';
import { attendanceErrors } from '../domain/errors.js';
import {
  assertCanClose,
  assertCanOpen,
  assertValidPlan,
  mayManage,
  nextRound,
  roundToEnd,
  type PeriodBounds,
  type Session,
  type SessionPolicy,
} from '../domain/session.js';
import type { LiveCodeInvalidator, SessionEvents, SessionRepository } from './ports.js';

export interface SessionDraft extends Partial<SessionPolicy> {
  courseId: string;
  room: string;
  plannedStart: Date;
  plannedEnd: Date;
}

export interface SessionSettings {
  period: PeriodBounds;
  defaultPeriodMs: number;
  defaultLateAfterMinutes: number;
  listLimit: number;
}

/** A teacher's class sessions: create, list, open, run rounds, close. Every change is announced. */
export function createSessionService(deps: {
  sessions: SessionRepository;
  directory: Pick<CourseDirectory, 'coursesTaughtBy' | 'roster'>;
  events: SessionEvents;
  liveCodes: LiveCodeInvalidator;
  settings: SessionSettings;
  /** Names walk-ins from the directory before the roster is read. */
  walkIns: { name(sessionIds: string[]): Promise<void> };
}) {
  const { sessions, directory, events, liveCodes, settings } = deps;

  const managed = async (actor: Identity, id: string): Promise<Session> => {
    const session = await sessions.find(id);
    if (!session) throw attendanceErrors.SESSION_NOT_FOUND();
    if (!mayManage(session, actor)) throw attendanceErrors.SESSION_NOT_YOURS();
    return session;
  };

  /** Applies a change under the session's row lock; the round it ended (if any) loses its codes at once. */
  const transition = async (actor: Identity, id: string, change: (locked: Session, tx: SqlExecutor) => Promise<number | void>) => {
    await managed(actor, id);
    const { ended, rotation } = await sessions.withLockedSession(id, async (locked, tx) => ({
      ended: await change(locked, tx),
      rotation: { periodMs: locked.rotationPeriodMs, graceMs: locked.graceMs },
    }));
    if (typeof ended === 'number') await liveCodes.invalidate(id, ended, rotation);
    await events.publish({ type: 'session.updated', sessionId: id });
    await events.publish({ type: 'count', sessionId: id, count: await sessions.liveCount(id) });
    return (await sessions.find(id))!;
  };

  return {
    async create(actor: Identity, draft: SessionDraft): Promise<Session> {
      const course = (await directory.coursesTaughtBy(actor.id)).find((c) => c.id === draft.courseId);
      if (!course) throw attendanceErrors.SESSION_COURSE_NOT_YOURS({ courseId: draft.courseId });
      const rotationPeriodMs = draft.rotationPeriodMs ?? settings.defaultPeriodMs;
      const graceMs = draft.graceMs ?? rotationPeriodMs;
      assertValidPlan({ ...draft, rotationPeriodMs, graceMs }, settings.period);
      return sessions.insert({
        courseId: course.id,
        courseName: course.name,
        teacherId: actor.id,
        room: draft.room,
        plannedStart: draft.plannedStart,
        plannedEnd: draft.plannedEnd,
        roundsPlanned: draft.roundsPlanned ?? 1,
        rotationPeriodMs,
        graceMs,
        lateAfterMinutes: draft.lateAfterMinutes ?? settings.defaultLateAfterMinutes,
        allowedNetworks: draft.allowedNetworks ?? [],
        fallbackCodeEnabled: draft.fallbackCodeEnabled ?? false,
        rosterPolicy: draft.rosterPolicy ?? 'refuse',
      });
    },

    list(actor: Identity): Promise<Session[]> {
      return actor.role === 'admin' ? sessions.listAll(settings.listLimit) : sessions.listForTeacher(actor.id, settings.listLimit);
    },

    get: managed,

    /** Opens the session and registers its course roster, as the portal has it now. */
    async open(actor: Identity, id: string): Promise<Session> {
      const session = await managed(actor, id);
      assertCanOpen(session);
      const { students } = await directory.roster(session.courseId);
      return transition(actor, id, async (locked, tx) => {
        assertCanOpen(locked);
        await sessions.markOpen(tx, id, students);
        await sessions.refreshResults(tx, locked, 0, false);
      });
    },

    startRound: (actor: Identity, id: string) =>
      transition(actor, id, async (locked, tx) => {
        const round = nextRound(locked);
        await sessions.insertRound(tx, id, round);
        await sessions.refreshResults(tx, locked, round, false);
      }),

    endRound: (actor: Identity, id: string) =>
      transition(actor, id, async (locked, tx) => {
        const round = roundToEnd(locked);
        await sessions.endRound(tx, id, round);
        return round;
      }),

    close: (actor: Identity, id: string) =>
      transition(actor, id, async (locked, tx) => {
        assertCanClose(locked);
        await sessions.markClosed(tx, id);
        await sessions.refreshResults(tx, locked, locked.roundsStarted, true);
        return locked.currentRound ?? undefined;
      }),

    async overview(actor: Identity, id: string) {
      const session = await managed(actor, id);
      await deps.walkIns.name([id]);
      const [rounds, roster, count] = await Promise.all([sessions.rounds(id), sessions.roster(id), sessions.liveCount(id)]);
      return { session, rounds, roster, count };
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
