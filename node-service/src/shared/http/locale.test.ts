import { describe, expect, test } from 'vitest';
import { localeFrom } from './locale.js';

describe('the language of messages, from Accept-Language', () => {
  test.each([
    [undefined, 'es'],
    ['', 'es'],
    ['es-ES,es;q=0.9', 'es'],
    ['en-GB,en;q=0.9', 'en'],
    ['EN-us', 'en'],
    [' en ', 'en'],
    ['es-ES,en;q=0.8', 'es'],
    ['en-US,es;q=0.5', 'en'],
    ['fr-FR,fr;q=0.9', 'es'],
    ['*', 'es'],
  ] as const)('%j → %s', (header, locale) => {
    expect(localeFrom(header)).toBe(locale);
  });

  test('follows the quality values, not only the order', () => {
    expect(localeFrom('es;q=0.2, en;q=0.9')).toBe('en');
    expect(localeFrom('en;q=0.3, es-MX;q=0.8')).toBe('es');
  });

  test('between equal qualities, the language listed first', () => {
    expect(localeFrom('en, es')).toBe('en');
    expect(localeFrom('es, en')).toBe('es');
  });

  test('a reader of French and English gets English rather than Spanish', () => {
    expect(localeFrom('fr-FR, fr;q=0.9, en;q=0.8')).toBe('en');
  });

  test('a language refused with q=0 is not used', () => {
    expect(localeFrom('en;q=0, fr')).toBe('es');
  });

  test('a tag that merely starts with the letters "en" is not English', () => {
    expect(localeFrom('enx, es')).toBe('es');
  });
});
