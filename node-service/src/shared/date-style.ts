import type { Locale } from './errors.js';

/**
 * One date style per language, the same as the pages' (web/src/lib/dates.ts): Chilean Spanish and British
 * English, 24-hour clock in both, always in the institution's zone. For dates the service writes into
 * messages; exports keep ISO-like `YYYY-MM-DD HH:MM` cells that spreadsheets read as dates.
 */
const DATE_LOCALES: Readonly<Record<Locale, string>> = { es: 'es-CL', en: 'en-GB' };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: Locale, kind: 'date' | 'time', timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${kind}|${timeZone}`;
  let found = formatters.get(key);
  if (!found) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'date'
        ? { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone }
        : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone };
    found = new Intl.DateTimeFormat(DATE_LOCALES[locale], options);
    formatters.set(key, found);
  }
  return found;
}

/** "mar, 4 mar 2025, 07:30" / "Tue, 4 Mar 2025, 07:30". */
export function formatDateTime(at: Date, locale: Locale, timeZone: string): string {
  return `${formatter(locale, 'date', timeZone).format(at)}, ${formatter(locale, 'time', timeZone).format(at)}`;
}

/** The same instant in both languages, for a message variable (see `MessageVars`). */
export function dateTimeInBoth(at: Date, timeZone: string): Readonly<Record<Locale, string>> {
  return { es: formatDateTime(at, 'es', timeZone), en: formatDateTime(at, 'en', timeZone) };
}
