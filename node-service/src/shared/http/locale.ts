import type { Locale } from '../errors.js';

/** Spanish first: English only when the reader's Accept-Language prefers it. */
export function localeFrom(acceptLanguage: string | undefined): Locale {
  const first = acceptLanguage?.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'es';
}
