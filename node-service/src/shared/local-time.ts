/**
 * Wall-clock time in the institution's time zone (TIME_ZONE), for exports, file names and pages: a 09:38
 * scan in Santiago is 09:38 in the export, never 12:38Z.
 */
interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the runtime knows the IANA zone (e.g. America/Santiago). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(instant).map((part) => [part.type, part.value]));
  const number = (type: string) => Number(parts[type]);
  return { year: number('year'), month: number('month'), day: number('day'), hour: number('hour'), minute: number('minute'), second: number('second') };
}

const pad = (value: number) => String(value).padStart(2, '0');

/** `YYYY-MM-DD` in the zone. */
export function localDate(instant: Date, timeZone: string): string {
  const t = wallClock(instant, timeZone);
  return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
}

/** `YYYY-MM-DD HH:MM` (or with `:SS`) in the zone. */
export function localDateTime(instant: Date, timeZone: string, withSeconds = false): string {
  const t = wallClock(instant, timeZone);
  const time = `${pad(t.hour)}:${pad(t.minute)}${withSeconds ? `:${pad(t.second)}` : ''}`;
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${time}`;
}

/**
 * The wall-clock time as a Date whose UTC fields carry it: what a spreadsheet cell holds, since spreadsheet
 * dates have no zone (exceljs writes a Date's UTC fields).
 */
export function wallClockAsUtc(instant: Date, timeZone: string): Date {
  const t = wallClock(instant, timeZone);
  return new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));
}

/**
 * The instant at which the zone's clocks show this wall-clock time: 09:30 on a date in Santiago is 12:30Z in
 * summer and 13:30Z in winter. A time the clocks skip (the hour lost when summer time starts) is read as
 * the same length of time after the jump, as the clocks would show it (e.g. 00:30 → 01:30); a time they show
 * twice (the hour repeated when it ends) is its first showing.
 */
export function instantAt(wall: Omit<WallClock, 'second'> & { second?: number }, timeZone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
  const offsetAt = (instant: number) => wallClockAsUtc(new Date(instant), timeZone).getTime() - instant;
  // The zone's offset half a day either side of the wanted time (clocks change at most once in a day): the
  // earlier one first, so an hour shown twice resolves to its first showing.
  const halfDay = 43_200_000;
  const before = asUtc - offsetAt(asUtc - halfDay);
  if (wallClockAsUtc(new Date(before), timeZone).getTime() === asUtc) return new Date(before);
  const after = asUtc - offsetAt(asUtc + halfDay);
  if (wallClockAsUtc(new Date(after), timeZone).getTime() === asUtc) return new Date(after);
  // Skipped by the clocks: the offset from before the jump carries the time past it.
  return new Date(before);
}
