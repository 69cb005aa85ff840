import type { Distribution } from '../support/stats.js';
import { machineLine, type Machine } from '../support/machine.js';
import { PERIOD_MS, type ProjectorResult } from './scenario.js';

/** The projector figures as a console table and as the projector section of docs/benchmarks.md. */

const TARGET = { sessions: 1000, jitterP99Ms: 50, rssMB: 200 } as const;

const count = (n: number) => n.toLocaleString('en-US');
const ms = (d: Distribution) => (d.count === 0 ? '–' : `${d.p50} / ${d.p99} / ${d.max}`);
const one = (n: number) => n.toFixed(1);

function rows(results: readonly ProjectorResult[]): Array<[string, ...string[]]> {
  const col = (f: (r: ProjectorResult) => string) => results.map(f);
  return [
    ['frames expected / received / missing', ...col((r) => `${count(r.frames.expected)} / ${count(r.frames.received)} / ${count(r.frames.missing)}`)],
    ['sessions missing a frame; duplicate frames; slots with >1 token', ...col((r) => `${r.frames.sessionsMissing}; ${r.frames.duplicates}; ${r.frames.slotsWithSeveralTokens}`)],
    ['rotation jitter at the projector p50 / p99 / max (ms)', ...col((r) => ms(r.frames.showLateness))],
    ['frames arriving after their slot began', ...col((r) => count(r.frames.lateFrames))],
    ['server lateness p50 / p99 / max (ms; negative: sent ahead)', ...col((r) => ms(r.frames.serverLateness))],
    ['arrival lateness p50 / p99 / max (ms; negative: ahead)', ...col((r) => ms(r.frames.arrivalLateness))],
    ['send → receipt p50 / p99 / max (ms)', ...col((r) => ms(r.frames.delivery))],
    ['per slot: first / last frame sent after the boundary (ms, median of slots)', ...col((r) => `${r.frames.burst.firstMs} / ${r.frames.burst.lastMs}`)],
    ['server CPU (% of one core)', ...col((r) => one(r.serverCpuPercent))],
    ['server RSS at start / after setup / max in window (MB)', ...col((r) => `${one(r.rssAtStartMB)} / ${one(r.rssAfterSetupMB)} / ${one(r.rssMaxMB)}`)],
    ['server V8 heap used / total; external, after the window (MB)', ...col((r) => (r.heap ? `${one(r.heap.usedMB)} / ${one(r.heap.totalMB)}; ${one(r.heap.externalMB)}` : '–'))],
    ['client CPU (% of one core, separate process)', ...col((r) => one(r.clientCpuPercent))],
    ['setup: sessions created, opened, round 1 (s)', ...col((r) => one(r.setupSeconds))],
    ['projectors connected and subscribed (s)', ...col((r) => one(r.connectSeconds))],
  ];
}

interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
}

function targetChecks(results: readonly ProjectorResult[]): TargetCheck[] {
  const at = results.find((r) => r.sessions === TARGET.sessions);
  const jitter = (label: string, d: Distribution | undefined): TargetCheck => ({
    target: `${count(TARGET.sessions)} sessions: rotation jitter p99 ≤ ${TARGET.jitterP99Ms} ms (${label})`,
    measured: d ? `${d.p99} ms` : 'not measured',
    met: d ? d.p99 <= TARGET.jitterP99Ms : undefined,
  });
  return [
    jitter('when the projector can show each code', at?.frames.showLateness),
    {
      target: `${count(TARGET.sessions)} sessions: RSS < ${TARGET.rssMB} MB`,
      measured: at ? `${one(at.rssMaxMB)} MB` : 'not measured',
      met: at ? at.rssMaxMB < TARGET.rssMB : undefined,
    },
    {
      target: 'every session gets one frame per slot, one token per (session, slot)',
      measured: results.map((r) => `N=${r.sessions}: ${r.frames.missing} missing, ${r.frames.slotsWithSeveralTokens} with >1 token`).join('; '),
      met: results.every((r) => r.frames.missing === 0 && r.frames.slotsWithSeveralTokens === 0),
    },
  ];
}

const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : '**not met**');

export function consoleTable(results: readonly ProjectorResult[]): string {
  const header: [string, ...string[]] = ['projector', ...results.map((r) => `N = ${count(r.sessions)}`)];
  const all = [header, ...rows(results)];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const checks = targetChecks(results).map((c) => `  ${verdict(c.met).replaceAll('*', '').padEnd(12)} ${c.target}: ${c.measured}`);
  const problems = results.flatMap((r) => r.problems.slice(0, 5).map((p) => `  N=${r.sessions}: ${p}`));
  return [line(header), ...rows(results).map(line), '', 'targets (issue 4):', ...checks, ...(problems.length ? ['', 'problems seen by the projectors:', ...problems] : [])].join('\n');
}

export function markdownSection(
  results: readonly ProjectorResult[],
  context: { machine: Machine; runner: string; env: Record<string, string>; windowSeconds: number },
): string {
  const extraEnv = Object.entries(context.env).map(([name, value]) => `\`${name}=${value}\``).join(', ');
  const slots = results[0]?.slots ?? 0;
  const table = [
    `| | ${results.map((r) => `N = ${count(r.sessions)}`).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
    ...rows(results).map(([label, ...cells]) => `| ${label} | ${cells.join(' | ')} |`),
  ];
  const checks = [
    '| target (issue 4) | measured | |',
    '|---|---|---|',
    ...targetChecks(results).map((c) => `| ${c.target} | ${c.measured} | ${verdict(c.met)} |`),
  ];
  return `## Projector: sessions projected at once on one instance (issue 4)

\`npx tsx bench/run.ts projector\`: N sessions of MAT101, each open in round 1 with the default ${PERIOD_MS / 1000} s
rotation, projected at once on **one** service instance (${context.runner}, NODE_ENV=production,
LOG_LEVEL=warn${extraEnv ? `, ${extraEnv}` : ''}) against PostgreSQL and Valkey on the same machine. A separate client
process holds one projector WebSocket per session (authenticated by its first message, then \`projector.subscribe\`;
one first, then 50 at a time). After a warm-up of two periods it records every \`qr\` frame of ${slots} whole slots
(${Math.round((slots * PERIOD_MS) / 1000)} s; window asked: ${context.windowSeconds} s).

- **Rotation jitter at the projector**: how long after its slot began each code could first be shown. The server
  delivers each frame during the slot before its own and the projector shows it from \`slotStartsAt\` on the server's
  clock, so a frame that arrived ahead counts 0 and a late one counts its lateness: \`max(0, arrival − slotStartsAt)\`.
  (What remains is the page's clock-offset estimate and one animation frame, ~16 ms, which a server benchmark cannot see.)
- **Server lateness**: \`serverTime − slotStartsAt\` of each frame (negative: sent that long ahead of its slot).
- **Arrival lateness**: the projector's clock when the frame arrived − \`slotStartsAt\` (same machine, same clock).
- **CPU**: utime + stime from \`/proc/<pid>/stat\` over the window, as % of one core. **RSS**: \`VmRSS\`, the largest of
  samples every 200 ms. Heap figures come from the service's own \`/asistencia/metrics\`, read mid-slot after the window.

Machine: ${machineLine(context.machine)}.

${table.join('\n')}

${checks.join('\n')}
`;
}
