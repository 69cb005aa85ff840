import { instantAt } from '../../../shared/local-time.js';
import { attendanceErrors } from './errors.js';

/**
 * A weekly series of class sessions: on the chosen weekdays, from the first date to the last (both
 * included), at the same wall-clock times in the institution's zone. 09:30 stays 09:30 when summer time
 * begins or ends: the instants move, the class does not. Pure: the application persists what this returns.
 */
export interface SeriesPlan {
  /** `YYYY-MM-DD`, the first day the series may hold a class. */
  firstDate: string;
  /** `YYYY-MM-DD`, the last day (included). */
  untilDate: string;
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  /** `HH:MM`, wall-clock time in the zone. */
  startTime: string;
  endTime: string;
}

export interface Occurrence {
  /** `YYYY-MM-DD`, the class's calendar date in the zone. */
  date: string;
  plannedStart: Date;
  plannedEnd: Date;
}

const DAY_MS = 86_400_000;

/** Days since the epoch of a calendar date (no zone: a date is a date). */
const dayNumber = (date: string): number => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) / DAY_MS;
};

/** ISO weekday (1 = Monday) of a day number: 1970-01-01 was a Thursday. */
const weekdayOf = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1;

const minutesOf = (time: string): number => {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return hour * 60 + minute;
};

/** How many classes the plan holds, counted without listing them (a far last date costs nothing). */
export function countOccurrences(plan: Pick<SeriesPlan, 'firstDate' | 'untilDate' | 'weekdays'>): number {
  const first = dayNumber(plan.firstDate);
  const days = dayNumber(plan.untilDate) - first + 1;
  if (days <= 0) return 0;
  const chosen = new Set(plan.weekdays);
  let count = Math.floor(days / 7) * chosen.size;
  for (let day = first + Math.floor(days / 7) * 7; day < first + days; day += 1) if (chosen.has(weekdayOf(day))) count += 1;
  return count;
}

/** The plan's classes in order, each with its own instants; refused when empty, inverted or too many. */
export function occurrencesOf(plan: SeriesPlan, timeZone: string, maxOccurrences: number): Occurrence[] {
  if (minutesOf(plan.endTime) <= minutesOf(plan.startTime)) throw attendanceErrors.SESSION_INVALID_TIMES();
  if (dayNumber(plan.untilDate) < dayNumber(plan.firstDate)) {
    throw attendanceErrors.SERIES_INVALID_DATES({ first: plan.firstDate, until: plan.untilDate });
  }
  const count = countOccurrences(plan);
  if (count === 0) throw attendanceErrors.SERIES_EMPTY({ first: plan.firstDate, until: plan.untilDate });
  if (count > maxOccurrences) throw attendanceErrors.SERIES_TOO_MANY({ count, max: maxOccurrences });

  const chosen = new Set(plan.weekdays);
  const [startHour, startMinute] = plan.startTime.split(':').map(Number) as [number, number];
  const [endHour, endMinute] = plan.endTime.split(':').map(Number) as [number, number];
  const occurrences: Occurrence[] = [];
  for (let day = dayNumber(plan.firstDate); day <= dayNumber(plan.untilDate); day += 1) {
    if (!chosen.has(weekdayOf(day))) continue;
    const date = new Date(day * DAY_MS);
    const calendar = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
    const plannedStart = instantAt({ ...calendar, hour: startHour, minute: startMinute }, timeZone);
    const plannedEnd = instantAt({ ...calendar, hour: endHour, minute: endMinute }, timeZone);
    // Only a start inside the hour the clocks skip can pass an end just after that hour.
    if (plannedEnd.getTime() <= plannedStart.getTime()) throw attendanceErrors.SESSION_INVALID_TIMES();
    occurrences.push({ date: date.toISOString().slice(0, 10), plannedStart, plannedEnd });
  }
  return occurrences;
}

/** A recess the teacher gives with a series: no class from `from` to `to` (both included). */
export interface Recess {
  from: string;
  to: string;
  name?: string;
}

/** A date a series left out, and why: a public holiday (named by the holiday list) or one of its recesses. */
export interface SkippedDate {
  date: string;
  reason: 'holiday' | 'recess';
  name: string;
}

/**
 * The classes left once public holidays and the series' recesses are taken out, and the dates taken out.
 * Every date is compared as text: `YYYY-MM-DD` sorts as the calendar does.
 */
export function withoutExclusions<T extends { date: string }>(
  classes: readonly T[],
  exclusions: { holidays: ReadonlyMap<string, string>; recesses: readonly Recess[] },
): { kept: T[]; skipped: SkippedDate[] } {
  const kept: T[] = [];
  const skipped: SkippedDate[] = [];
  for (const c of classes) {
    const holiday = exclusions.holidays.get(c.date);
    const recess = exclusions.recesses.find((r) => r.from <= c.date && c.date <= r.to);
    if (holiday !== undefined) skipped.push({ date: c.date, reason: 'holiday', name: holiday });
    else if (recess) skipped.push({ date: c.date, reason: 'recess', name: recess.name ?? '' });
    else kept.push(c);
  }
  return { kept, skipped };
}
