import type { SqlExecutor } from '../../../shared/storage/sql.js';
import type { Identity } from '../../auth/index.js';
import type { CourseAccess, CourseDirectory, CourseRight, CourseStanding } from '../../directory/index.js';
import { attendanceErrors } from '../domain/errors.js';
import { instantAt } from '../../../shared/local-time.js';
import { occurrencesOf, withoutExclusions, type Recess, type SeriesPlan } from '../domain/series.js';
import { seriesChanges } from './series-changes.js';
import {
  assertCanClose,
  assertCanDelete,
  assertCanEdit,
  assertCanOpen,
  assertValidPlan,
  nextRound,
  roundToEnd,
  type PeriodBounds,
  type Session,
  type SessionPolicy,
} from '../domain/session.js';
import type { GradeChanges, HolidayRepository, LiveCodeInvalidator, NewSession, SessionChanges, SessionEvents, SessionRepository } from './ports.js';

export interface SessionDraft extends Partial<SessionPolicy> {
  courseId: string;
  room: string;
  plannedStart: Date;
  plannedEnd: Date;
}

/** A weekly series: one session per class, all alike but for their dates. */
export interface SeriesDraft extends Partial<SessionPolicy>, SeriesPlan {
  courseId: string;
  room: string;
  /** Ranges with no class (a recess), besides the public holidays. */
  recesses?: Recess[];
}

/** A page of the list: dates are calendar dates in the institution's zone, both included. */
export interface SessionListRequest {
  courseId?: string;
  from?: string;
  to?: string;
  order: 'asc' | 'desc';
  after?: { plannedStart: Date; id: string };
  limit: number;
}

export interface SessionSettings {
  period: PeriodBounds;
  defaultPeriodMs: number;
  defaultLateAfterMinutes: number;
  /** The most sessions one page of the list may hold, and the size of a page when none is asked. */
  listLimit: number;
  listPageSize: number;
  /** The most classes one weekly series may make. */
  seriesMaxOccurrences: number;
  /** The institution's IANA time zone: a series' wall-clock times and the list's dates are read in it. */
  timeZone: string;
  /** The most classes, and bytes, one imported timetable may hold. */
  importMaxRows: number;
  importMaxBytes: number;
}

const startOfDay = (date: string, timeZone: string, plusDays = 0): Date => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day + plusDays));
  return instantAt({ year: calendar.getUTCFullYear(), month: calendar.getUTCMonth() + 1, day: calendar.getUTCDate(), hour: 0, minute: 0 }, timeZone);
};

/** A teacher's class sessions: create, list, open, run rounds, close. Every change is announced. */
export function createSessionService(deps: {
  sessions: SessionRepository;
  directory: Pick<CourseDirectory, 'roster'>;
  /** Who may do what in the session's course (directory/domain/course-rights.ts). */
  access: Pick<CourseAccess, 'mine' | 'require'>;
  events: SessionEvents;
  liveCodes: LiveCodeInvalidator;
  settings: SessionSettings;
  holidays: Pick<HolidayRepository, 'between'>;
  /** Names walk-ins from the directory before the roster is read. */
  walkIns: { name(sessionIds: string[]): Promise<void> };
  grades: GradeChanges;
}) {
  const { sessions, directory, access, events, liveCodes, settings } = deps;

  /** The session, when the actor has `right` in its course (else SESSION_NOT_FOUND, SESSION_NOT_YOURS or COURSE_RIGHT_MISSING). */
  const managed = async (actor: Identity, id: string, right: CourseRight): Promise<Session> => (await withStanding(actor, id, right)).session;
  const withStanding = async (actor: Identity, id: string, right: CourseRight): Promise<{ session: Session; standing: CourseStanding }> => {
    const session = await sessions.find(id);
    if (!session) throw attendanceErrors.SESSION_NOT_FOUND();
    return { session, standing: await access.require(actor, session.courseId, right, () => attendanceErrors.SESSION_NOT_YOURS()) };
  };

  /** Applies a change under the session's row lock; the round it ended (if any) loses its codes at once. */
  const transition = async (actor: Identity, id: string, change: (locked: Session, tx: SqlExecutor) => Promise<number | void>) => {
    await managed(actor, id, 'run_classes');
    const { ended, rotation } = await sessions.withLockedSession(id, async (locked, tx) => ({
      ended: await change(locked, tx),
      rotation: { periodMs: locked.rotationPeriodMs, graceMs: locked.graceMs },
    }));
    if (typeof ended === 'number') await liveCodes.invalidate(id, ended, rotation);
    await events.publish({ type: 'session.updated', sessionId: id });
    await events.publish({ type: 'count', sessionId: id, count: await sessions.liveCount(id) });
    return (await sessions.find(id))!;
  };

  /** The new session a draft describes, checked: only for a course whose classes the actor may plan. */
  const planned = async (actor: Identity, draft: Omit<SessionDraft, 'plannedStart' | 'plannedEnd'>, times: Array<{ plannedStart: Date; plannedEnd: Date }>): Promise<NewSession[]> => {
    const stranger = () => attendanceErrors.SESSION_COURSE_NOT_YOURS({ courseId: draft.courseId });
    await access.require(actor, draft.courseId, 'change_settings', stranger);
    const course = (await access.mine(actor)).find((c) => c.id === draft.courseId);
    if (!course) throw stranger();
    const rotationPeriodMs = draft.rotationPeriodMs ?? settings.defaultPeriodMs;
    const graceMs = draft.graceMs ?? rotationPeriodMs;
    return times.map(({ plannedStart, plannedEnd }) => {
      assertValidPlan({ plannedStart, plannedEnd, rotationPeriodMs, graceMs }, settings.period);
      return {
        courseId: course.id,
        courseName: course.name,
        teacherId: actor.id,
        room: draft.room,
        plannedStart,
        plannedEnd,
        roundsPlanned: draft.roundsPlanned ?? 1,
        rotationPeriodMs,
        graceMs,
        lateAfterMinutes: draft.lateAfterMinutes ?? settings.defaultLateAfterMinutes,
        allowedNetworks: draft.allowedNetworks ?? [],
        fallbackCodeEnabled: draft.fallbackCodeEnabled ?? false,
        rosterPolicy: draft.rosterPolicy ?? 'refuse',
      };
    });
  };

  return {
    async create(actor: Identity, draft: SessionDraft): Promise<Session> {
      const [session] = await planned(actor, draft, [draft]);
      return sessions.insert(session!);
    },

    /**
     * One session per class of a weekly series, at the same wall-clock times in TIME_ZONE, but none on a
     * public holiday or in one of its recesses (answered as `skipped`, with why); all or none.
     */
    async createSeries(actor: Identity, draft: SeriesDraft) {
      const every = occurrencesOf(draft, settings.timeZone, settings.seriesMaxOccurrences);
      const recesses = draft.recesses ?? [];
      const { kept: classes, skipped } = withoutExclusions(every, { holidays: await deps.holidays.between(draft.firstDate, draft.untilDate), recesses });
      if (classes.length === 0) throw attendanceErrors.SERIES_ALL_SKIPPED({ skipped: skipped.length });
      const drafts = await planned(actor, draft, classes);
      const { seriesId, sessions: created } = await sessions.insertSeries(
        {
          courseId: draft.courseId,
          teacherId: actor.id,
          weekdays: [...new Set(draft.weekdays)].sort((a, b) => a - b),
          startTime: draft.startTime,
          endTime: draft.endTime,
          firstDate: draft.firstDate,
          untilDate: draft.untilDate,
          timeZone: settings.timeZone,
          recesses,
          skipped,
        },
        drafts,
      );
      return { seriesId, timeZone: settings.timeZone, sessions: created, skipped };
    },

    /** The sessions of the courses the actor teaches or staffs (every session for an admin), one page at a time. */
    async list(actor: Identity, request: SessionListRequest): Promise<{ sessions: Session[]; more: boolean }> {
      if (request.from && request.to && request.to < request.from) throw attendanceErrors.SESSION_LIST_INVALID_RANGE({ from: request.from, to: request.to });
      const courseIds = actor.role === 'admin' ? null : (await access.mine(actor)).filter((c) => c.rights.includes('see_classes')).map((c) => c.id);
      const page = await sessions.list({
        courseIds,
        ...(request.courseId ? { courseId: request.courseId } : {}),
        ...(request.from ? { from: startOfDay(request.from, settings.timeZone) } : {}),
        ...(request.to ? { until: startOfDay(request.to, settings.timeZone, 1) } : {}),
        ...(request.after ? { after: request.after } : {}),
        order: request.order,
        limit: request.limit + 1,
      });
      return { sessions: page.slice(0, request.limit), more: page.length > request.limit };
    },

    /** Room, times or rounds of a session that has not opened yet; audited with what it was. */
    async edit(actor: Identity, id: string, changes: SessionChanges): Promise<Session> {
      if (Object.values(changes).every((value) => value === undefined)) throw attendanceErrors.SESSION_EDIT_EMPTY();
      await managed(actor, id, 'change_settings');
      await sessions.withLockedSession(id, async (locked, tx) => {
        assertCanEdit(locked);
        const next = { ...locked, ...changes };
        if (next.plannedEnd.getTime() <= next.plannedStart.getTime()) throw attendanceErrors.SESSION_INVALID_TIMES();
        await sessions.update(tx, locked, changes, actor);
      });
      await events.publish({ type: 'session.updated', sessionId: id });
      return (await sessions.find(id))!;
    },

    /** Deletes a session that never opened; audited with what it was. */
    async remove(actor: Identity, id: string): Promise<void> {
      await managed(actor, id, 'change_settings');
      await sessions.withLockedSession(id, async (locked, tx) => {
        assertCanDelete(locked);
        await sessions.remove(tx, locked, actor);
      });
      await events.publish({ type: 'session.updated', sessionId: id });
    },

    /** The session for someone with `right` in its course: the projector asks 'project', receipts 'export_data', spot checks theirs. */
    authorize: managed,

    ...seriesChanges({ sessions, events, settings, holidays: deps.holidays, managed, planned, access }),

    /** Opens the session and registers its course roster, as the portal has it now. */
    async open(actor: Identity, id: string): Promise<Session> {
      const session = await managed(actor, id, 'run_classes');
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

    async close(actor: Identity, id: string) {
      const closed = await transition(actor, id, async (locked, tx) => {
        assertCanClose(locked);
        await sessions.markClosed(tx, id);
        await sessions.refreshResults(tx, locked, locked.roundsStarted, true);
        return locked.currentRound ?? undefined;
      });
      deps.grades.changed(closed.courseId);
      return closed;
    },

    /** A class's page: with the viewer's role and rights in its course, so that it offers only what they may do. */
    async overview(actor: Identity, id: string) {
      const { session, standing } = await withStanding(actor, id, 'see_roster');
      await deps.walkIns.name([id]);
      const [rounds, roster, count] = await Promise.all([sessions.rounds(id), sessions.roster(id), sessions.liveCount(id)]);
      return { session, rounds, roster, count, access: standing };
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
