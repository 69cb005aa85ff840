import { execFileSync } from 'node:child_process';
import { SERVICE_ROOT } from './service.js';

/**
 * Which source a figure was measured on: the commit, and the files of src/ that differ from it (the service
 * is compiled from the working tree, which others may be editing). Read-only: `--no-optional-locks` keeps
 * `git status` from rewriting the index.
 */
export function describeSource(): string {
  const git = (...args: string[]) => execFileSync('git', ['--no-optional-locks', '-C', SERVICE_ROOT, ...args], { encoding: 'utf8' }).trim();
  try {
    const commit = git('log', '-1', '--format=%h (%s)');
    const changed = git('status', '--porcelain', '--', 'src')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3).replace(/^node-service\//, ''));
    if (changed.length === 0) return `commit ${commit}, src/ as committed`;
    const shown = changed.slice(0, 8).map((f) => `\`${f}\``).join(', ');
    return `commit ${commit} with uncommitted changes in ${changed.length} file${changed.length === 1 ? '' : 's'} of src/ (${shown}${changed.length > 8 ? ', …' : ''})`;
  } catch {
    return 'source revision unknown (not a git checkout)';
  }
}
