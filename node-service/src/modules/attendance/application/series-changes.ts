import { instantAt, localDate, localDateTime } from '../../../shared/local-time.js';
import type { Identity } from '../../auth/index.js';
import type { CourseAccess, CourseRight } from '../../directory/index.js';
import { attendanceErrors } from '../domain/errors.js';
import type { Session, SessionPolicy } from '../domain/session.js';
import { readTimetable, type RowIssue } from '../domain/timetable.js';
import type { HolidayRepository, NewSession, SessionEvents, SessionRepository } from './ports.js';

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

const wallTimeOf = (instant: Date, timeZone: string) => localDateTime(instant, timeZone).slice(11, 16);
const instantOn = (date: string, time: string, timeZone: string): Date => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return instantAt({ year, month, day, hour, minute }, timeZone);
};
/** Sessions that ran (opened, perhaps with attendance) are what happened: a series change keeps them. */
const hasRun = (s: Session) => s.state !== 'scheduled' || s.openedAt !== null;

/**
 * What a teacher does to many classes at once: a series changed or deleted from one class on (or whole),
 * and a timetable imported. Built by the session service, which lends it its ownership and course checks.
 */
export function seriesChanges(deps: {
  sessions: SessionRepository;
  events: SessionEvents;
  settings: { timeZone: string; importMaxRows: number; importMaxBytes: number };
  holidays: Pick<HolidayRepository, 'between'>;
  /** The session, when the actor has the right in its course (else SESSION_NOT_FOUND, SESSION_NOT_YOURS, COURSE_RIGHT_MISSING). */
  managed(actor: Identity, id: string, right: CourseRight): Promise<Session>;
  access: Pick<CourseAccess, 'require'>;
  /** New sessions for a course the actor teaches, one per pair of times, checked. */
  planned(actor: Identity, draft: Partial<SessionPolicy> & { courseId: string; room: string }, times: Array<{ plannedStart: Date; plannedEnd: Date }>): Promise<NewSession[]>;
}) {
  const { sessions, events, settings, managed, planned, access } = deps;

  /** Where a series change begins: the planned start of the class named (of this series), or the first. */
  const seriesStart = async (actor: Identity, seriesId: string, fromSessionId: string | undefined): Promise<Date | null> => {
    if (!fromSessionId) return null;
    const from = await managed(actor, fromSessionId, 'change_settings');
    if (from.seriesId !== seriesId) throw attendanceErrors.SERIES_FROM_NOT_IN_SERIES();
    return from.plannedStart;
  };
  /** A series belongs to one course: changing it is a change of that course's settings. */
  const assertSeriesManaged = async (actor: Identity, found: Session[]) => {
    if (found.length === 0) throw attendanceErrors.SERIES_NOT_FOUND();
    for (const courseId of new Set(found.map((s) => s.courseId))) {
      await access.require(actor, courseId, 'change_settings', () => attendanceErrors.SESSION_NOT_YOURS());
    }
  };

  return {
    /**
     * Room, times or rounds of every class of a series from one on (or all): each class keeps its date.
     * Classes that ran are kept as they were and answered as `kept`; all or none.
     */
    async editSeries(actor: Identity, seriesId: string, changes: SeriesChanges) {
      const { fromSessionId, ...fields } = changes;
      if (Object.values(fields).every((value) => value === undefined)) throw attendanceErrors.SESSION_EDIT_EMPTY();
      const result = await sessions.withLockedSeries(seriesId, await seriesStart(actor, seriesId, fromSessionId), async (found, tx) => {
        await assertSeriesManaged(actor, found);
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
        await assertSeriesManaged(actor, found);
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

  };
}
