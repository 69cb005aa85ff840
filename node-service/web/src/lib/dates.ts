// Dates and times on every page: one style per language (Chilean Spanish, British English; the service
// words dates in its messages the same way, src/shared/date-style.ts), always in the institution's time
// zone (TIME_ZONE, from /client-config), whatever zone the reader's device is set to.
import type { Lang } from './i18n';

const LOCALES: Readonly<Record<Lang, string>> = { es: 'es-CL', en: 'en-GB' };

type When = string | Date;
const instant = (at: When): Date => (typeof at === 'string' ? new Date(at) : at);

/** "vie, 27 nov 2026" / "Fri, 27 Nov 2026". */
export function formatDate(at: When, lang: Lang, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(instant(at));
}

/** "09:38" (or "09:38:05" with seconds), 24-hour in both languages. */
export function formatTime(at: When, lang: Lang, timeZone?: string, { seconds = false }: { seconds?: boolean } = {}): string {
  const second = seconds ? ({ second: '2-digit' } as const) : {};
  return new Intl.DateTimeFormat(LOCALES[lang], { hour: '2-digit', minute: '2-digit', ...second, hourCycle: 'h23', timeZone }).format(instant(at));
}

/** "vie, 27 nov 2026, 09:38". */
export function formatDateTime(at: When, lang: Lang, timeZone?: string): string {
  return `${formatDate(at, lang, timeZone)}, ${formatTime(at, lang, timeZone)}`;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
/** Year, month, day, hour and minute an instant shows in the zone (the device's when none is given). */
function wallClock(at: Date, timeZone?: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute', number> {
  const key = timeZone ?? '';
  let formatter = partsFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    partsFormatters.set(key, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((part) => [part.type, Number(part.value)]));
  return { year: parts['year'] ?? 0, month: parts['month'] ?? 0, day: parts['day'] ?? 0, hour: parts['hour'] ?? 0, minute: parts['minute'] ?? 0 };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Values for `<input type="date">` and `<input type="time">`: the instant on the zone's wall clock. */
export function zonedInputs(at: When, timeZone?: string): { date: string; time: string } {
  const t = wallClock(instant(at), timeZone);
  return { date: `${t.year}-${pad(t.month)}-${pad(t.day)}`, time: `${pad(t.hour)}:${pad(t.minute)}` };
}

/**
 * The instant the zone's clocks show this date and time, as ISO 8601; null if either is not well formed.
 * The same reading as the service's (shared/local-time.ts): an hour shown twice is its first showing.
 */
export function zonedIso(date: string, time: string, timeZone?: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const asUtc = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  if (Number.isNaN(asUtc)) return null;
  const offsetAt = (ms: number): number => {
    const w = wallClock(new Date(ms), timeZone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(ms / 60_000) * 60_000;
  };
  const halfDay = 43_200_000;
  for (const guess of [asUtc - offsetAt(asUtc - halfDay), asUtc - offsetAt(asUtc + halfDay)]) {
    const w = wallClock(new Date(guess), timeZone);
    if (Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) === asUtc) return new Date(guess).toISOString();
  }
  return new Date(asUtc - offsetAt(asUtc - halfDay)).toISOString();
}

/** The calendar date (YYYY-MM-DD) of an instant on the wall clock of `timeZone`. */
export function localDateOf(at: When, timeZone?: string): string {
  return new Intl.DateTimeFormat('sv-SE', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }).format(instant(at));
}

/** The calendar date `days` after a YYYY-MM-DD date (calendar arithmetic: no time zone involved). */
export function addDays(date: string, days: number): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + days);
  return next.toISOString().slice(0, 10);
}
