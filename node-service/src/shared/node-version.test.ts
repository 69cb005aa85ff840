import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSupportedNode, nodeVersionProblem, SUPPORTED_NODE_RANGE } from './node-version.js';

describe('the supported Node.js versions', () => {
  it.each(['20.19.0', '20.20.2', 'v20.99.1', '22.13.0', '22.22.0', '24.0.0', '24.11.1', '25.2.0', '26.0.0-pre'])('accepts %s', (version) => {
    expect(isSupportedNode(version)).toBe(true);
    expect(nodeVersionProblem(version)).toBeNull();
  });

  it.each(['18.20.4', '20.0.0', '20.18.3', '21.7.3', '22.0.0', '22.12.0', '23.11.0', '19.9.0', '', 'twenty'])('refuses %s', (version) => {
    expect(isSupportedNode(version)).toBe(false);
  });

  it('says in one line which versions are supported and which one was found', () => {
    const problem = nodeVersionProblem('18.20.4')!;
    expect(problem).not.toContain('\n');
    expect(problem).toContain(SUPPORTED_NODE_RANGE);
    expect(problem).toContain('this is Node.js 18.20.4');
  });

  it('is the range both package.json files declare (what npm checks at install)', () => {
    for (const file of ['../../../package.json', '../../package.json']) {
      const manifest = JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as { engines: { node: string } };
      expect(manifest.engines.node, file).toBe(SUPPORTED_NODE_RANGE);
    }
  });
});
