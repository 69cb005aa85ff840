import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a process spent its CPU inside a time window, from the `.cpuprofile` that `node --cpu-prof` writes
 * at exit: self time per function and per package, idle excluded.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  windowMs: number;
  functions: Array<{ name: string; ms: number }>;
  packages: Array<{ name: string; ms: number }>;
}

/** The newest profile in `dir`. */
export function findProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return join(dir, files[files.length - 1]!);
}

/**
 * Summarises the samples taken between the wall-clock times `from` and `to`. The profile's clock is the
 * process's monotonic one, so it is pinned to the wall clock by its end (`exitedAt`, when the process
 * exited): accurate to the time it took to write the file, which is plenty for a window of seconds.
 */
export function summariseProfile(file: string, window: { from: number; to: number; exitedAt: number }, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const toWall = (micros: number) => window.exitedAt - (profile.endTime - micros) / 1000;
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let busyMs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    const wall = toWall(at);
    if (wall < window.from || wall > window.to) continue;
    const node = byId.get(profile.samples[i]!);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    busyMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    add(functions, `${functionName || '(anonymous)'} ${where}`.trim(), ms);
    add(packages, packageOf(url, functionName), ms);
  }
  const ranked = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms: Math.round(ms) }));
  return { file, busyMs: Math.round(busyMs), windowMs: window.to - window.from, functions: ranked(functions), packages: ranked(packages) };
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1) : url.replace(/^file:\/\//, '');
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.startsWith('node:')) return 'node core';
  const dist = /\/(?:dist|src)\/(modules\/[^/]+|shared|[^/]+)/.exec(url);
  return dist ? `service: ${dist[1]}` : url;
}

export function formatProfile(s: ProfileSummary): string {
  const lines = [
    `CPU profile ${s.file}`,
    `  busy ${s.busyMs} ms of a ${s.windowMs} ms window (${((s.busyMs / s.windowMs) * 100).toFixed(1)}% of one core)`,
    '  by package (self time):',
    ...s.packages.map((p) => `    ${String(p.ms).padStart(7)} ms  ${pct(p.ms, s.busyMs)}  ${p.name}`),
    '  by function (self time):',
    ...s.functions.map((f) => `    ${String(f.ms).padStart(7)} ms  ${pct(f.ms, s.busyMs)}  ${f.name}`),
  ];
  return lines.join('\n');
}

const pct = (part: number, whole: number) => `${((part / Math.max(1, whole)) * 100).toFixed(1).padStart(5)}%`;
