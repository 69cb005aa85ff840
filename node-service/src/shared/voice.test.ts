import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ustedIn } from '../../test/support/voice.js';

/**
 * One voice: the pages say tú, and so does every Spanish message the service sends (error catalogues and
 * other `es:` texts). Formal imperatives and "usted" read like another product.
 */
const srcDir = fileURLToPath(new URL('..', import.meta.url));
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
    expect(spanish.filter(({ text }) => ustedIn(text).length > 0)).toEqual([]);
  });
});
