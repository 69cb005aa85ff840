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
