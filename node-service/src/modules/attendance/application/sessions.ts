import type { SqlExecutor } from '../../../shared/storage/sql.js';
import type { Identity } from '../../auth/index.js';
import type { CourseDirectory } from '../../directory/index.js';
import { attendanceErrors } from '../domain/errors.js';
import { instantAt, localDate, localDateTime } from '../../../shared/local-time.js';
import { occurrencesOf, withoutExclusions, type Recess, type SeriesPlan } from '../domain/series.js';
import { readTimetable, type RowIssue } from '../domain/timetable.js';
import {
  assertCanClose,
  assertCanDelete,
  assertCanEdit,
  assertCanOpen,
  assertValidPlan,
  mayManage,
  nextRound,
  roundToEnd,
  type PeriodBounds,
  type Session,
  type SessionPolicy,
} from '../domain/session.js';
import type { HolidayRepository, LiveCodeInvalidator, NewSession, SessionChanges, SessionEvents, SessionRepository } from './ports.js';

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

/** A change to every class of a series still to run, or to those from one class on. */
export interface SeriesChanges {
  /** The first class changed (with every later one); absent: the whole series. */
  fromSessionId?: string;
  room?: string;
  /** `HH:MM` on the wall clock of TIME_ZONE; each class keeps its date. */
  startTime?: string;
  endTime?: string;
  roundsPlanned?: number;
}

/** A timetable pasted or uploaded as CSV (domain/timetable.ts), to look at (`preview`) or import. */
export interface TimetableImport extends Partial<SessionPolicy> {
  courseId: string;
  csv: string;
  preview: boolean;
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

const wallTimeOf = (instant: Date, timeZone: string) => localDateTime(instant, timeZone).slice(11, 16);
const instantOn = (date: string, time: string, timeZone: string): Date => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return instantAt({ year, month, day, hour, minute }, timeZone);
};
/** Sessions that ran (opened, perhaps with attendance) are what happened: a series change keeps them. */
const hasRun = (s: Session) => s.state !== 'scheduled' || s.openedAt !== null;

const startOfDay = (date: string, timeZone: string, plusDays = 0): Date => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day + plusDays));
  return instantAt({ year: calendar.getUTCFullYear(), month: calendar.getUTCMonth() + 1, day: calendar.getUTCDate(), hour: 0, minute: 0 }, timeZone);
};

/** A teacher's class sessions: create, list, open, run rounds, close. Every change is announced. */
export function createSessionService(deps: {
  sessions: SessionRepository;
  directory: Pick<CourseDirectory, 'coursesTaughtBy' | 'roster'>;
  events: SessionEvents;
  liveCodes: LiveCodeInvalidator;
  settings: SessionSettings;
  holidays: Pick<HolidayRepository, 'between'>;
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

  /** The new session a draft describes, checked: only for a course the actor teaches. */
  const planned = async (actor: Identity, draft: Omit<SessionDraft, 'plannedStart' | 'plannedEnd'>, times: Array<{ plannedStart: Date; plannedEnd: Date }>): Promise<NewSession[]> => {
    const course = (await directory.coursesTaughtBy(actor.id)).find((c) => c.id === draft.courseId);
    if (!course) throw attendanceErrors.SESSION_COURSE_NOT_YOURS({ courseId: draft.courseId });
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

  /** Where a series change begins: the planned start of the class named (of this series), or the first. */
  const seriesStart = async (actor: Identity, seriesId: string, fromSessionId: string | undefined): Promise<Date | null> => {
    if (!fromSessionId) return null;
    const from = await managed(actor, fromSessionId);
    if (from.seriesId !== seriesId) throw attendanceErrors.SERIES_FROM_NOT_IN_SERIES();
    return from.plannedStart;
  };
  const assertSeriesManaged = (actor: Identity, found: Session[]) => {
    if (found.length === 0) throw attendanceErrors.SERIES_NOT_FOUND();
    if (!found.every((s) => mayManage(s, actor))) throw attendanceErrors.SESSION_NOT_YOURS();
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

    /**
     * Room, times or rounds of every class of a series from one on (or all): each class keeps its date.
     * Classes that ran are kept as they were and answered as `kept`; all or none.
     */
    async editSeries(actor: Identity, seriesId: string, changes: SeriesChanges) {
      const { fromSessionId, ...fields } = changes;
      if (Object.values(fields).every((value) => value === undefined)) throw attendanceErrors.SESSION_EDIT_EMPTY();
      const result = await sessions.withLockedSeries(seriesId, await seriesStart(actor, seriesId, fromSessionId), async (found, tx) => {
        assertSeriesManaged(actor, found);
        const kept = found.filter(hasRun);
        const changed = found.filter((s) => !hasRun(s));
        for (const s of changed) {
          const date = localDate(s.plannedStart, settings.timeZone);
          const plannedStart = instantOn(date, fields.startTime ?? wallTimeOf(s.plannedStart, settings.timeZone), settings.timeZone);
          const plannedEnd = instantOn(date, fields.endTime ?? wallTimeOf(s.plannedEnd, settings.timeZone), settings.timeZone);
          if (plannedEnd.getTime() <= plannedStart.getTime()) throw attendanceErrors.SESSION_INVALID_TIMES();
          const times = fields.startTime !== undefined || fields.endTime !== undefined ? { plannedStart, plannedEnd } : {};
          await sessions.update(tx, s, { ...times, ...(fields.room ? { room: fields.room } : {}), ...(fields.roundsPlanned ? { roundsPlanned: fields.roundsPlanned } : {}) }, actor);
        }
        return { changedIds: changed.map((s) => s.id), kept };
      });
      for (const id of result.changedIds) await events.publish({ type: 'session.updated', sessionId: id });
      const changed = await Promise.all(result.changedIds.map(async (id) => (await sessions.find(id))!));
      return { changed, kept: result.kept };
    },

    /** Deletes every class of a series from one on (or all); classes that ran are kept and answered; all or none. */
    async removeSeries(actor: Identity, seriesId: string, fromSessionId?: string) {
      const result = await sessions.withLockedSeries(seriesId, await seriesStart(actor, seriesId, fromSessionId), async (found, tx) => {
        assertSeriesManaged(actor, found);
        const removed = found.filter((s) => !hasRun(s));
        for (const s of removed) await sessions.remove(tx, s, actor);
        return { removedIds: removed.map((s) => s.id), kept: found.filter(hasRun) };
      });
      for (const id of result.removedIds) await events.publish({ type: 'session.updated', sessionId: id });
      return { deleted: result.removedIds.length, kept: result.kept };
    },

    /**
     * A timetable (CSV) read row by row: `preview` answers every class it would make and every row's problem;
     * otherwise every class is created in one transaction, or none while one row is wrong.
     */
    async importTimetable(actor: Identity, request: TimetableImport) {
      const bytes = Buffer.byteLength(request.csv, 'utf8');
      if (bytes > settings.importMaxBytes) throw attendanceErrors.TIMETABLE_TOO_LARGE({ bytes, max: settings.importMaxBytes });
      const { rows, issues } = readTimetable(request.csv, settings.importMaxRows);
      const timed = rows.map((row) => ({
        ...row,
        plannedStart: instantOn(row.date, row.startTime, settings.timeZone),
        plannedEnd: instantOn(row.date, row.endTime, settings.timeZone),
      }));
      const allIssues: RowIssue[] = [...issues];
      for (const row of timed) {
        if (row.plannedEnd.getTime() <= row.plannedStart.getTime()) {
          allIssues.push({ row: row.row, es: `Fila ${row.row}: esa hora no existe ese día (cambio de hora).`, en: `Row ${row.row}: that time does not exist on that day (change of time).` });
        }
      }
      allIssues.sort((a, b) => a.row - b.row);
      const good = timed.filter((row) => !allIssues.some((i) => i.row === row.row));
      const drafts = await planned(actor, { ...request, room: '' }, good);
      const dates = good.map((row) => row.date).sort();
      const holidays = dates.length > 0 ? await deps.holidays.between(dates[0]!, dates.at(-1)!) : new Map<string, string>();
      const classes = good.map((row) => ({ ...row, holiday: holidays.get(row.date) ?? null }));
      if (request.preview) return { preview: true as const, classes, issues: allIssues };
      if (allIssues.length > 0) throw attendanceErrors.TIMETABLE_INVALID({ count: allIssues.length }, { issues: allIssues });
      const created = await sessions.insertMany(good.map((row, i) => ({ ...drafts[i]!, room: row.room })));
      return { preview: false as const, sessions: created };
    },

    /** A teacher's sessions (every session for an admin), one page at a time. */
    async list(actor: Identity, request: SessionListRequest): Promise<{ sessions: Session[]; more: boolean }> {
      if (request.from && request.to && request.to < request.from) throw attendanceErrors.SESSION_LIST_INVALID_RANGE({ from: request.from, to: request.to });
      const page = await sessions.list({
        teacherId: actor.role === 'admin' ? null : actor.id,
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
      await managed(actor, id);
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
      await managed(actor, id);
      await sessions.withLockedSession(id, async (locked, tx) => {
        assertCanDelete(locked);
        await sessions.remove(tx, locked, actor);
      });
      await events.publish({ type: 'session.updated', sessionId: id });
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
