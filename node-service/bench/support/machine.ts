import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { withAdmin, withValkey } from '../../test/support/environment.js';
import { SERVICE_ROOT } from './service.js';

/** What a figure was measured on: without it a benchmark figure means little. */
export async function describeMachine() {
  const postgres = await withAdmin(async (admin) => (await admin.query<{ v: string }>('SELECT current_setting($$server_version$$) AS v')).rows[0]!.v.split(' ')[0]);
  const info = await withValkey((valkey) => valkey.info('server'));
  const version = (name: string) => new RegExp(`^${name}_version:(.+)$`, 'm').exec(info)?.[1]?.trim();
  const valkey = version('valkey') ? `Valkey ${version('valkey')}` : `Redis ${version('redis') ?? '?'}`;
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const memory = Math.round((totalmem() / 2 ** 30) * 10) / 10;
  const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const line = `${availableParallelism()} CPUs (nproc; ${cpuModel}), ${memory} GiB memory, Node ${process.version}, Linux ${release()}, PostgreSQL ${postgres}, ${valkey}`;
  return { cpus: availableParallelism(), date, line: `${line}; measured ${date}` };
}
export type Machine = Awaited<ReturnType<typeof describeMachine>>;

/**
 * Which source a figure was measured on: the commit, and the files of src/ that differ from it (the service
 * is compiled from the working tree). `--no-optional-locks` keeps `git status` from rewriting the index.
 */
export function describeSource(): string {
  const git = (...args: string[]) => execFileSync('git', ['--no-optional-locks', '-C', SERVICE_ROOT, ...args], { encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).map((line) => `\`${line.replace(/^\s*\S+\s+/, '').replace(/^node-service\//, '')}\``);
    const commit = `commit ${git('log', '-1', '--format=%h (%s)')}`;
    if (changed.length === 0) return `${commit}, src/ as committed`;
    return `${commit} with uncommitted changes in ${changed.slice(0, 8).join(', ')}${changed.length > 8 ? ', …' : ''}`;
  } catch {
    return 'source revision unknown (not a git checkout)';
  }
}
