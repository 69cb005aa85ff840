import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `--profile`: the server runs under `node --cpu-prof`; at exit its `.cpuprofile` is summarised for the
 * measured window: self time per package and per function, idle excluded.
 */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  endTime: number;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  busyMs: number;
  windowMs: number;
  packages: Array<[string, number]>;
  functions: Array<[string, number]>;
}

/** Node arguments that write a profile into a fresh directory, and how to read it back once the process has exited. */
export function profiler() {
  const dir = mkdtempSync(join(tmpdir(), 'asistencia-cpu-prof-'));
  return {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    summarise: (window: { from: number; to: number }, exitedAt: number) => {
      const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
      if (!file) throw new Error(`no .cpuprofile in ${dir}`);
      return summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, window, exitedAt);
    },
  };
}

/** The profile's clock is the process's own: pinned to the wall clock by its end (the process's exit). */
function summarise(profile: CpuProfile, window: { from: number; to: number }, exitedAt: number, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let busyMs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    const wall = exitedAt - (profile.endTime - at) / 1000;
    const frame = byId.get(profile.samples[i]!);
    if (wall < window.from || wall > window.to || !frame || frame.functionName === '(idle)') continue;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    busyMs += ms;
    const modules = frame.url.lastIndexOf('node_modules/');
    const where = modules >= 0 ? frame.url.slice(modules + 13) : frame.url.replace(/^.*\/(dist|src)\//, '$1/');
    add(functions, `${frame.functionName || '(anonymous)'} ${where ? `${where}:${frame.lineNumber + 1}` : ''}`.trim(), ms);
    add(packages, packageOf(frame.url, frame.functionName), ms);
  }
  const ranked = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]): [string, number] => [name, Math.round(ms)]);
  return { busyMs: Math.round(busyMs), windowMs: Math.round(window.to - window.from), packages: ranked(packages), functions: ranked(functions) };
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url) ?? /\/(?:dist|src)\/(modules\/[^/]+|[^/]+)/.exec(url);
  return match ? match[1]! : url;
}

export function formatProfile(s: ProfileSummary): string {
  const pct = (ms: number) => `${((ms / Math.max(1, s.busyMs)) * 100).toFixed(1).padStart(5)}%`;
  const lines = (entries: Array<[string, number]>) => entries.map(([name, ms]) => `    ${String(ms).padStart(7)} ms  ${pct(ms)}  ${name}`);
  const header = `busy ${s.busyMs} ms of a ${s.windowMs} ms window`;
  return [header, '  by package (self time):', ...lines(s.packages), '  by function (self time):', ...lines(s.functions)].join('\n');
}
