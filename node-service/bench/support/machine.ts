import { execFileSync, spawnSync } from 'node:child_process';
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
  const { loopMs, spawnMs } = yardstick();
  const line =
    `${availableParallelism()} CPUs (nproc; ${cpuModel}), ${memory} GiB memory, Node ${process.version}, Linux ${release()}, PostgreSQL ${postgres}, ${valkey}; ` +
    `yardstick: ${loopMs} ms for ${YARDSTICK_LOOP / 1e6}M loop iterations, ${spawnMs} ms a process started`;
  return { cpus: availableParallelism(), date, loopMs, spawnMs, line: `${line}; measured ${date}` };
}

const YARDSTICK_LOOP = 200_000_000;
const YARDSTICK_SPAWNS = 50;

/**
 * Two machines of one kind (the same "2 CPUs" and CPU model name) ran the same test suite 2.2 times apart, so
 * a figure carries how fast its machine was: one core's speed (a plain loop, the fastest of three) and what
 * starting a process costs (the suite and the door start hundreds; the mean of 50). A scale between
 * machines, read on a quiet one (a busy machine makes both slower), not a benchmark of its own.
 */
function yardstick(): { loopMs: number; spawnMs: number } {
  const loop = () => {
    const started = performance.now();
    let sum = 0;
    for (let i = 0; i < YARDSTICK_LOOP; i++) sum += i % 7;
    if (sum < 0) throw new Error('unreachable');
    return performance.now() - started;
  };
  const loopMs = Math.round(Math.min(loop(), loop(), loop()));
  const started = performance.now();
  for (let i = 0; i < YARDSTICK_SPAWNS; i++) spawnSync('/bin/true');
  const spawnMs = Math.round(((performance.now() - started) / YARDSTICK_SPAWNS) * 10) / 10;
  return { loopMs, spawnMs };
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
