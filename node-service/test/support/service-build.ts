import { readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { inject } from 'vitest';

/** node-service/: where the tests run the service's commands from. */
export const SERVICE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PREFIX = '.test-build-';
const LEFTOVER_AFTER_MS = 6 * 3600_000;

/**
 * The service's source compiled once for a run, for the tests that start it as its own process (the service,
 * `migrate`, `devices`, `receipts`), as the production image runs compiled JavaScript. Run through `tsx`,
 * each of those processes had its loader compile and resolve every module again on start: about 2 s of CPU
 * a start, against 1.1 s compiled (docs/testing.md). esbuild is what `tsx` compiles with, so the code run is
 * the same, and compiling all of `src` takes about 0.2 s.
 *
 * The folder sits directly in node-service/, at the depth of `src`, so the paths the configuration finds
 * from its own file (migrations, functions, pages, data) are the ones the source finds; the imports of
 * packages resolve from node-service/ as well. Inline source maps, read with --enable-source-maps, keep the
 * stack traces pointing at the TypeScript.
 */
export async function buildServiceForRun(runId: string): Promise<{ dir: string; remove(): Promise<void> }> {
  await removeLeftovers();
  const dir = join(SERVICE_ROOT, `${PREFIX}${runId}`);
  const entryPoints = readdirSync(join(SERVICE_ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => join(SERVICE_ROOT, 'src', file));
  await build({
    entryPoints,
    outdir: dir,
    outbase: join(SERVICE_ROOT, 'src'),
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node}`,
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A run that was killed leaves its build behind: those older than any run are removed. */
async function removeLeftovers(): Promise<void> {
  const old = Date.now() - LEFTOVER_AFTER_MS;
  for (const name of readdirSync(SERVICE_ROOT).filter((entry) => entry.startsWith(PREFIX))) {
    const path = join(SERVICE_ROOT, name);
    if (statSync(path).mtimeMs < old) await rm(path, { recursive: true, force: true });
  }
}

/** The arguments for `node` that run one of the service's entry points (`main`, `cli/devices`…) from the run's build. */
export function serviceEntry(entry: 'main' | 'cli/migrate' | 'cli/devices' | 'cli/receipts'): string[] {
  return ['--enable-source-maps', join(inject('serviceBuild'), `${entry}.js`)];
}
