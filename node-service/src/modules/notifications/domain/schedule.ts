import { instantAt, wallClockAsUtc } from '../../../shared/local-time.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The week a teacher's digest covers: the seven days before its sending time, and the week's name. */
export interface DigestWeek {
  /** The local date (YYYY-MM-DD) of the digest day: the week's name in notifications.sent_mail. */
  period: string;
  from: Date;
  to: Date;
}

/**
 * The latest digest due at `now`: the last time the clocks of `timeZone` showed `hour`:00 on `isoDay`
 * (1 = Monday … 7 = Sunday), at or before `now`. It covers the seven days before that time.
 */
export function latestDigestWeek(now: Date, timeZone: string, isoDay: number, hour: number): DigestWeek {
  const wall = wallClockAsUtc(now, timeZone);
  const today = ((wall.getUTCDay() + 6) % 7) + 1;
  let daysBack = (today - isoDay + 7) % 7;
  if (daysBack === 0 && wall.getUTCHours() < hour) daysBack = 7;
  const day = new Date(wall.getTime() - daysBack * DAY_MS);
  const at = (date: Date) => instantAt({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour, minute: 0 }, timeZone);
  return { period: day.toISOString().slice(0, 10), from: at(new Date(day.getTime() - 7 * DAY_MS)), to: at(day) };
}

/**
 * The period a student's at-risk warning is sent once in: the half-year in `timeZone` (2026-H1 is January to
 * June, 2026-H2 July to December), one term of the institution's calendar.
 */
export function warningPeriod(now: Date, timeZone: string): string {
  const wall = wallClockAsUtc(now, timeZone);
  return `${wall.getUTCFullYear()}-H${wall.getUTCMonth() < 6 ? 1 : 2}`;
}
