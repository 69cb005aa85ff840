import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PHP_LEGACY_DIR } from '../support/apache.js';

function phpFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'data' ? [] : phpFiles(path);
    return entry.name.endsWith('.php') ? [path] : [];
  });
}

describe('php-legacy sources', () => {
  const files = phpFiles(PHP_LEGACY_DIR);

  it('has the portal scripts outside and inside the document root', () => {
    const names = files.map((file) => relative(PHP_LEGACY_DIR, file));
    expect(names).toEqual(
      expect.arrayContaining([
        'public/index.php',
        'public/login.php',
        'public/logout.php',
        'public/token.php',
        'public/internal/roster.php',
        'public/internal/courses.php',
        'public/internal/student.php',
        'src/jwt.php',
        'bin/portal.php',
        'container/healthcheck.php',
      ]),
    );
  });

  it.each(files.map((file) => [relative(PHP_LEGACY_DIR, file), file]))('php -l %s is clean', async (_name, file) => {
    const { stdout } = await promisify(execFile)('php', ['-l', file]);
    expect(stdout).toContain('No syntax errors detected');
  });
});
