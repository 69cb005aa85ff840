import type { Locale } from '../errors.js';

/**
 * Spanish first: English only when the reader's Accept-Language prefers it to Spanish, by its quality
 * values (RFC 9110 §12.5.4); between equal qualities, the one listed first.
 */
export function localeFrom(acceptLanguage: string | undefined): Locale {
  let best: { locale: Locale; q: number } = { locale: 'es', q: 0 };
  for (const range of acceptLanguage?.split(',') ?? []) {
    const [tag = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const language = tag.split('-')[0];
    if (language !== 'es' && language !== 'en') continue;
    const q = params.find((param) => param.startsWith('q='));
    const quality = q ? Number(q.slice(2)) || 0 : 1;
    if (quality > best.q) best = { locale: language, q: quality };
  }
  return best.locale;
}
