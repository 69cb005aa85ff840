import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { SUPPORTED_NODE_RANGE } from '../../src/shared/node-version.js';
import { cleanUp, exitOf, launch, tempDir } from './operator.js';

// The entry point refuses a Node.js outside the supported range before it loads the server. The version is
// faked by a module preloaded with --import (process.versions.node is configurable); the bad PORT shows
// the order: with the check, the Node.js line is all that is printed; without it, the configuration refusal.

afterAll(cleanUp);

function nodeOptionsFaking(version: string): string {
  const file = join(tempDir('node-version'), 'fake-version.mjs');
  writeFileSync(file, `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n`);
  return `--import=${file}`;
}

describe('start-up on an unsupported Node.js', () => {
  test('exits 1 with one line naming the supported range and the version found, before reading settings', async () => {
    const service = await launch({ NODE_OPTIONS: nodeOptionsFaking('18.20.4'), PORT: 'abc', DATA_DIR: tempDir('data') });
    expect(await exitOf(service)).toBe(1);
    const lines = service.stderr().trimEnd().split('\n');
    expect(lines, service.output()).toEqual([
      `Asistencia needs Node.js ${SUPPORTED_NODE_RANGE} (20.19+, 22.13+ or 24 and later); this is Node.js 18.20.4. Install a supported version and start again.`,
    ]);
  });

  test('a supported version goes on to start (here, to refuse the bad setting)', async () => {
    const service = await launch({ NODE_OPTIONS: nodeOptionsFaking('24.1.0'), PORT: 'abc', DATA_DIR: tempDir('data') });
    expect(await exitOf(service)).toBe(1);
    expect(service.stderr()).toMatch(/^Invalid configuration: PORT: /);
  });
});
