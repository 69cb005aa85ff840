import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { withAdmin } from '../../test/support/environment.js';
import { git, withValkey } from './service.js';

/** What a figure was measured on: without it a benchmark figure means little. */
export interface Machine {
  cpus: number;
  line: string;
  date: string;
}

export async function describeMachine(): Promise<Machine> {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU';
  const postgres = await withAdmin(async (admin) => (await admin.query<{ v: string }>('SELECT current_setting($$server_version$$) AS v')).rows[0]!.v.split(' ')[0]);
  const info = await withValkey((valkey) => valkey.info('server'));
  const version = (name: string) => new RegExp(`^${name}_version:(.+)$`, 'm').exec(info)?.[1]?.trim();
  const valkey = version('valkey') ? `Valkey ${version('valkey')}` : `Redis ${version('redis') ?? '?'}`;
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cpus = availableParallelism();
  const memory = Math.round((totalmem() / 2 ** 30) * 10) / 10;
  const line = `${cpus} CPUs (nproc; ${cpuModel}), ${memory} GiB memory, Node ${process.version}, Linux ${release()}, PostgreSQL ${postgres}, ${valkey}`;
  return { cpus, date, line: `${line}; measured ${date}` };
}

/**
 * Which source a figure was measured on: the commit, and the files of src/ that differ from it (the service
 * is compiled from the working tree).
 */
export function describeSource(): string {
  try {
    const changed = git('status', '--porcelain', '--', 'src')
      .split('\n')
      .filter(Boolean)
      .map((line) => `\`${line.replace(/^\s*\S+\s+/, '').replace(/^node-service\//, '')}\``);
    const commit = `commit ${git('log', '-1', '--format=%h (%s)')}`;
    if (changed.length === 0) return `${commit}, src/ as committed`;
    return `${commit} with uncommitted changes in ${changed.slice(0, 8).join(', ')}${changed.length > 8 ? ', …' : ''}`;
  } catch {
    return 'source revision unknown (not a git checkout)';
  }
}
