import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { ustedIn } from '../../test/support/voice.js';
import { declaredErrors, type ErrorSpec } from './errors.js';

/**
 * Every error code the service can answer, from every file that declares codes: each speaks Spanish and
 * English, with the same placeholders in both, so a page that switches language can show any error in
 * either (the body carries both, see error-handler.ts).
 */
const srcDir = fileURLToPath(new URL('..', import.meta.url));

function declaringFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declaringFiles(path);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) return [];
    return /\bdefineErrors\(\{/.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

/** The codes a file declares, read from its text: `  SOME_CODE: {` inside a defineErrors call. */
function codesDeclaredIn(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/defineErrors\(\{([\s\S]*?)\n\}\);?|defineErrors\(\{([\s\S]*?)\}\)/g)].flatMap((call) =>
    [...(call[1] ?? call[2] ?? '').matchAll(/^\s+([A-Z][A-Z0-9_]+): \{/gm)].map((match) => match[1]!),
  );
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();

const files = declaringFiles(srcDir);
let entries: ReadonlyArray<readonly [string, ErrorSpec]> = [];

beforeAll(async () => {
  for (const file of files) await import(pathToFileURL(file).href);
  entries = declaredErrors()
    .filter(({ code }) => !code.startsWith('TEST_'))
    .map(({ code, ...spec }) => [code, spec] as const);
});

describe('the error catalogue', () => {
  test('is read from every module that declares codes', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    const declared = files.flatMap(codesDeclaredIn);
    expect(declared.length).toBeGreaterThan(40);
    expect(entries.map(([code]) => code).sort()).toEqual([...new Set(declared)].sort());
  });

  test('every code has a Spanish and an English message, and they differ', () => {
    const incomplete = entries.filter(([, spec]) => !spec.es?.trim() || !spec.en?.trim() || spec.es === spec.en);
    expect(incomplete.map(([code]) => code)).toEqual([]);
  });

  test('both messages of a code take the same variables', () => {
    const mismatched = entries.filter(([, spec]) => placeholders(spec.es).join() !== placeholders(spec.en).join());
    expect(mismatched.map(([code, spec]) => ({ code, es: placeholders(spec.es), en: placeholders(spec.en) }))).toEqual([]);
  });

  test('every Spanish message says tú', () => {
    expect(entries.filter(([, spec]) => ustedIn(spec.es).length > 0).map(([code, spec]) => ({ code, usted: ustedIn(spec.es) }))).toEqual([]);
  });

  test('codes are stable identifiers', () => {
    expect(entries.filter(([code]) => !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code)).map(([code]) => code)).toEqual([]);
  });
});

describe('the contract with the pages (contract.ts)', () => {
  const webDir = fileURLToPath(new URL('../../web', import.meta.url));
  const pageFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return pageFiles(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  /** The code of a page file without its comments: a comment may name a code, code may not. */
  const codeOf = (path: string): string => readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

  test('every error code a page branches on is one the service declares', async () => {
    const { PageErrorCode, SCAN_ENROLL_CODES } = await import('./contract.js');
    const declared = new Set(entries.map(([code]) => code));
    expect([...Object.values(PageErrorCode), ...SCAN_ENROLL_CODES].filter((code) => !declared.has(code))).toEqual([]);
  });

  test('no page spells an error code itself: it takes it from the contract', () => {
    const spelled = pageFiles(webDir).flatMap((path) => {
      const text = codeOf(path);
      return entries.filter(([code]) => new RegExp(`\\b${code}\\b`).test(text)).map(([code]) => ({ file: path.slice(webDir.length + 1), code }));
    });
    expect(spelled).toEqual([]);
  });
});
