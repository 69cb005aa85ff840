import { readdirSync, readFileSync } from 'node:fs';
import { cpuSeconds } from './proc.js';
import { sleep } from './stats.js';

/**
 * Where a machine's CPU went over a short window, process group by process group: the service instances,
 * the load generator, PostgreSQL (the postmaster and all its children: backends, WAL writer, checkpointer…),
 * Valkey, and the machine as a whole from /proc/stat. Only read from /proc; nothing is signalled.
 */

export interface CpuSnapshot {
  at: number;
  /** Per group, the CPU seconds of each process seen. */
  groups: Record<string, Map<number, number>>;
  machine: { busy: number; total: number };
}

/** Aggregate jiffies of every CPU: busy (everything but idle and iowait) and total. */
export function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** The share of the whole machine (0–100 % of all cores) that was busy during `ms`. */
export async function machineBusyPercent(ms: number): Promise<number> {
  const before = machineJiffies();
  await sleep(ms);
  const after = machineJiffies();
  return ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * 100;
}

/** Waits (up to `maxWaitMs`) for a second in which the machine is mostly idle; returns the last busy share seen. */
export async function waitForQuietMachine(thresholdPercent: number, maxWaitMs: number, log: (line: string) => void): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let busy = await machineBusyPercent(1000);
  while (busy > thresholdPercent && Date.now() < deadline) {
    log(`  the machine is ${busy.toFixed(0)}% busy (someone else is using it): waiting for it to calm down`);
    await sleep(2000);
    busy = await machineBusyPercent(1000);
  }
  return busy;
}

/** Process ids whose parent is `parent` (e.g. PostgreSQL's backends, children of the postmaster). */
export function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // it ended meanwhile
    }
  }
  return children;
}

export function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** `groups` maps a name to a function listing its processes now (called at each snapshot). */
export function cpuSnapshot(groups: Record<string, () => number[]>): CpuSnapshot {
  const snapshot: CpuSnapshot = { at: performance.timeOrigin + performance.now(), groups: {}, machine: machineJiffies() };
  for (const [name, list] of Object.entries(groups)) {
    const seen = new Map<number, number>();
    for (const pid of list()) {
      try {
        seen.set(pid, cpuSeconds(pid));
      } catch {
        // it ended meanwhile
      }
    }
    snapshot.groups[name] = seen;
  }
  return snapshot;
}

export interface CpuUse {
  wallSeconds: number;
  /** Per group: CPU seconds used between the snapshots (a process born in between counts from zero). */
  seconds: Record<string, number>;
  /** The machine's busy share between the snapshots, as % of one core (so up to 100 × cores). */
  machinePercentOfOneCore: number;
}

export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, cores: number): CpuUse {
  const seconds: Record<string, number> = {};
  for (const [name, now] of Object.entries(after.groups)) {
    const then = before.groups[name] ?? new Map<number, number>();
    let sum = 0;
    for (const [pid, cpu] of now) sum += Math.max(0, cpu - (then.get(pid) ?? 0));
    seconds[name] = sum;
  }
  const busy = after.machine.busy - before.machine.busy;
  const total = Math.max(1, after.machine.total - before.machine.total);
  return {
    wallSeconds: (after.at - before.at) / 1000,
    seconds,
    machinePercentOfOneCore: (busy / total) * 100 * cores,
  };
}
