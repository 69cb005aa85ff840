import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './stats.js';

/** CPU time, memory and system calls of other processes and of the machine, read from Linux's /proc only. */

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold spaces): [0] is field 3. */
const statFields = (pid: number | string) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};

/** The number after `name:` in /proc/<pid>/<file> (status, io, smaps_rollup: sizes there are in kB). */
const procField = (pid: number, file: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'))?.[1]);

/** `read()`, or undefined when the process it reads has ended meanwhile (its /proc files are gone). */
function unlessEnded<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Every process whose stat field `index` (1: parent, 2: process group) is `value`. */
function processesWhere(index: 1 | 2, value: number): number[] {
  const pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number);
  return pids.filter((pid) => unlessEnded(() => Number(statFields(pid)[index]) === value));
}
export const childrenOf = (parent: number) => processesWhere(1, parent);
/** Every process of the process group `pgid` (Apache and its workers, php-fpm and its). */
export const groupOf = (pgid: number) => processesWhere(2, pgid);
export const parentOf = (pid: number) => Number(statFields(pid)[1]);
/** A process's command line (PostgreSQL's backends show their database there); '' once it has ended. */
export const commandLine = (pid: number) => unlessEnded(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8')) ?? '';

export const rssBytes = (pid: number) => procField(pid, 'status', 'VmRSS') * 1024;

/** Read and write system calls of `pid` so far (/proc/<pid>/io): each socket read or write is one. */
export const syscalls = (pid: number) => ({ reads: procField(pid, 'io', 'syscr'), writes: procField(pid, 'io', 'syscw') });

/** Samples `read` every `everyMs` (a process that ended gives no sample); `stop` returns the largest seen (by `size`). */
export function maxSampler<T>(read: () => T, everyMs: number, size: (value: T) => number = Number) {
  let max = read();
  const timer = setInterval(() => {
    const now = unlessEnded(read);
    if (now !== undefined && size(now) > size(max)) max = now;
  }, everyMs);
  return { stop: (): T => (clearInterval(timer), max) };
}

/** The processes of a group (`pgid`): count, RSS summed, PSS summed (from smaps_rollup). */
export function groupMemory(pgid: number): { processes: number; rssMB: number; pssMB: number } {
  const sum = { processes: 0, rssMB: 0, pssMB: 0 };
  for (const pid of groupOf(pgid)) {
    const [rss = NaN, pss = NaN] = ['Rss', 'Pss'].map((name) => unlessEnded(() => procField(pid, 'smaps_rollup', name) / 1000));
    if (Number.isNaN(rss + pss)) continue;
    sum.rssMB += rss;
    sum.pssMB += pss;
    sum.processes += 1;
  }
  return sum;
}

/** Aggregate jiffies of every CPU: busy (all but idle and iowait) and total. */
function machineJiffies(): { busy: number; total: number } {
  const values = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
}

/** The share of the machine (0–100 % of all cores) busy between two readings. */
const busyPercent = (before: { busy: number; total: number }, after: { busy: number; total: number }) =>
  ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * 100;

export async function machineBusyPercent(ms: number): Promise<number> {
  const before = machineJiffies();
  await sleep(ms);
  return busyPercent(before, machineJiffies());
}

/**
 * Per named group, the CPU seconds (utime + stime) of each of its processes now, and the machine's jiffies.
 * `groups` lists each group's processes now: a pool may open backends between two snapshots.
 */
export function cpuSnapshot(groups: Record<string, () => number[]>) {
  const cpuSeconds = (fields: string[]) => (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  const at = performance.timeOrigin + performance.now();
  // A process that ended meanwhile counts 0 (and so nothing in cpuBetween).
  const perGroup = Object.entries(groups).map(([name, list]) => [name, new Map(list().map((pid) => [pid, unlessEnded(() => cpuSeconds(statFields(pid))) ?? 0]))]);
  return { at, groups: Object.fromEntries(perGroup) as Record<string, Map<number, number>>, machine: machineJiffies() };
}
type CpuSnapshot = ReturnType<typeof cpuSnapshot>;

/**
 * CPU seconds per group between two snapshots (a process born in between counts from zero), plus
 * "everything else": the machine's busy time minus all the groups (the kernel's work, other programs).
 * `percent` is a group's CPU in % of one core; `machinePercent` the machine's busy time, in % of one core.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, cores: number) {
  const seconds: Record<string, number> = {};
  for (const [name, now] of Object.entries(after.groups)) {
    seconds[name] = [...now].reduce((sum, [pid, cpu]) => sum + Math.max(0, cpu - (before.groups[name]?.get(pid) ?? 0)), 0);
  }
  const wallSeconds = (after.at - before.at) / 1000;
  const machinePercent = busyPercent(before.machine, after.machine) * cores;
  const metered = Object.values(seconds).reduce((a, b) => a + b, 0);
  seconds['everything else'] = Math.max(0, (machinePercent / 100) * wallSeconds - metered);
  const percent = (name: string) => ((seconds[name] ?? 0) / wallSeconds) * 100;
  return { wallSeconds, seconds, machinePercent, percent, window: { from: before.at, to: after.at } };
}
