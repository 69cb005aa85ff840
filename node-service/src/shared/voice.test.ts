import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

/**
 * One voice: the pages say tú, and so does every Spanish message the service sends (error catalogues and
 * other `es:` texts). Formal imperatives and "usted" read like another product.
 */
const srcDir = fileURLToPath(new URL('..', import.meta.url));
// Formal imperatives; a few (debe, pida, registre, revise) are also subjunctives ("pide a tu docente que
// registre…"), so they count only where a sentence starts.
const USTED =
  /\b(usted|[Vv]uelva|[Ii]nicie|[Pp]ulse|[Ii]ndique|[Ee]spere|[Hh]able|[Ee]scanee|[Aa]vise|[Aa]bra|[Rr]evoque|[Aa]ctive|[Uu]se|[Tt]oque|[Pp]ruebe|[Tt]ermínela|ábrala)\b|(^|[.;:¿] )(Debe|Pida|Registre|Revise|Su)\b/u;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('server messages speak in tú', () => {
  const spanish = sources(srcDir).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\bes: '((?:[^'\\]|\\.)*)'/g)].map((match) => ({ file: file.slice(srcDir.length), text: match[1]! })),
  );

  test('there are messages to check', () => {
    expect(spanish.length).toBeGreaterThan(50);
  });

  test('no Spanish message uses usted', () => {
    // Placeholders ({active}) are names, not words.
    expect(spanish.filter(({ text }) => USTED.test(text.replace(/\{\w+\}/g, '…')))).toEqual([]);
  });
});
