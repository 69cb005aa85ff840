import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time and memory of another process, read from Linux's /proc. */

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User plus system CPU time of `pid`, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces; fields 14 and 15 are utime and stime.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of `pid`, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}

/** CPU used by `pid` between `start()` and `stop()`, as a percentage of one core. */
export function cpuMeter(pid: number) {
  let startCpu = 0;
  let startWall = 0;
  return {
    start() {
      startCpu = cpuSeconds(pid);
      startWall = performance.now();
    },
    stop(): number {
      const wallSeconds = (performance.now() - startWall) / 1000;
      return ((cpuSeconds(pid) - startCpu) / wallSeconds) * 100;
    },
  };
}

/** Samples the RSS of `pid` every `everyMs` until stopped; returns the largest seen. */
export function rssSampler(pid: number, everyMs: number) {
  let maxBytes = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      maxBytes = Math.max(maxBytes, rssBytes(pid));
    } catch {
      // the process ended; stop() still reports what was seen
    }
  }, everyMs);
  return {
    stop(): number {
      clearInterval(timer);
      return maxBytes;
    },
  };
}

/** Read and write system calls made so far by `pid` (`syscr`, `syscw` of /proc/<pid>/io): every socket read and write is one. */
export function syscalls(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
  return { reads: field('syscr'), writes: field('syscw') };
}

/**
 * Memory of every process in the process group `pgid` (a server and its workers: Apache, php-fpm):
 * RSS summed (counts shared pages once per process, so it overstates) and PSS summed (shared pages split
 * between their processes: what the group really holds).
 */
export function groupMemory(pgid: number): { processes: number; rssBytes: number; pssBytes: number } {
  let processes = 0;
  let rss = 0;
  let pss = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 5 (pgrp), counted after the parenthesised command name.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      const rollup = readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+) kB$/m.exec(rollup)?.[1] ?? 0) * 1024;
      pss += Number(/^Pss:\s+(\d+) kB$/m.exec(rollup)?.[1] ?? 0) * 1024;
      processes++;
    } catch {
      // gone meanwhile
    }
  }
  return { processes, rssBytes: rss, pssBytes: pss };
}

/** CPU seconds (user + system) used so far by every process in the process group `pgid`. */
export function groupCpuSeconds(pgid: number): number {
  let seconds = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) seconds += cpuSeconds(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return seconds;
}
