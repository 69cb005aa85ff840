import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linearRegression } from 'simple-statistics';
import type { DoorResult } from './door/index.js';
import type { ProjectorResult } from './projector/index.js';
import type { CeilingFigures } from './scan/ceiling-worker.js';
import type { ScanResult } from './scan/index.js';
import type { SoakRecord } from './soak/index.js';
import type { Machine } from './support/machine.js';
import type { Distribution } from './support/stats.js';
import { SERVICE_ROOT } from './support/service.js';

/**
 * The one renderer: a run's JSON record (bench/results/<scenario>.json: what was run, on what, and the
 * scenario's figures) as its section of docs/benchmarks.md, between markers that only this replaces.
 */
export type BenchRecord = { scenario: string; title: string; command: string; machine: Machine; runner: string; source: string; env: Record<string, string>; [figures: string]: unknown };

type Row<R> = [label: string, cell: (r: R) => string];
type Check = { target: string; measured: string; met: boolean | undefined };
type View = { columns: string[]; rows: string[][]; notes: string[]; checks: Check[] };

const count = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const one = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const two = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const ms = (d: Distribution) => (d.count === 0 ? '–' : `${Math.round(d.p50)} / ${Math.round(d.p99)} / ${Math.round(d.max)}`);
const errors = (e: Record<string, number>) => Object.entries(e).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} × ${n}`).join(', ') || 'none';
/** One cell per instance, joined. */
const each = <S>(r: { servers: S[] }, f: (s: S) => string) => r.servers.map(f).join(' + ');
const table = <R>(results: readonly R[], rows: Array<Row<R>>) => rows.map(([label, cell]) => [label, ...results.map(cell)]);
/** A target: what was measured of `subject` and whether it meets it; "not measured" when the run did not include it. */
const check = <T>(target: string, subject: T | undefined, measured: (s: T) => string, met: (s: T) => boolean): Check =>
  subject === undefined ? { target, measured: 'not measured', met: undefined } : { target, measured: measured(subject), met: met(subject) };
/** A target every result must meet, each one's figure listed. */
const checkEach = <R>(target: string, results: R[], measured: (r: R) => string, met: (r: R) => boolean): Check =>
  check(target, results, (all) => all.map(measured).join('; '), (all) => all.every(met));

function projectorView(record: BenchRecord): View {
  const results = record.results as ProjectorResult[];
  const at = results.find((r) => r.sessions === 1000 && r.servers.length === 1);
  const rssMax = (r: ProjectorResult) => Math.max(...r.servers.map((x) => x.rssMaxMB));
  const moonshot = results.filter((r) => r.sessions >= 5000 && r.servers.length === 1);
  const rows: Array<Row<ProjectorResult>> = [
    ['frames expected / received / missing', (r) => `${count(r.frames.expected)} / ${count(r.frames.received)} / ${count(r.frames.missing)}`],
    ['sessions missing a frame; duplicate frames; slots with >1 token', (r) => `${r.frames.sessionsMissing}; ${r.frames.duplicates}; ${r.frames.slotsWithSeveralTokens}`],
    ['rotation jitter at the projector p50 / p99 / max (ms)', (r) => ms(r.frames.showLateness)],
    ['frames arriving after their slot began', (r) => count(r.frames.lateFrames)],
    ['server lateness p50 / p99 / max (ms; negative: sent ahead)', (r) => ms(r.frames.serverLateness)],
    ['arrival lateness p50 / p99 / max (ms; negative: ahead)', (r) => ms(r.frames.arrivalLateness)],
    ['send → receipt p50 / p99 / max (ms)', (r) => ms(r.frames.delivery)],
    ['per slot: first / last frame sent after the boundary (ms, median of slots)', (r) => `${Math.round(r.frames.burst.firstMs)} / ${Math.round(r.frames.burst.lastMs)}`],
    ['server CPU (% of one core, per instance)', (r) => each(r, (x) => one(x.cpuPercent))],
    ['server RSS at start / after setup / max in window (MB, per instance)', (r) => each(r, (x) => `${one(x.rssAtStartMB)} / ${one(x.rssAfterSetupMB)} / ${one(x.rssMaxMB)}`)],
    ['server V8 heap used / total; external, after the window (MB)', (r) => each(r, ({ heap: h }) => (h ? `${one(h.usedMB)} / ${one(h.totalMB)}; ${one(h.externalMB)}` : '–'))],
    ['client CPU (% of one core, separate process); Apache CPU (--door)', (r) => `${one(r.clientCpuPercent)}; ${r.apacheCpuPercent === null ? '–' : one(r.apacheCpuPercent)}`],
    ['load average (1 min) at the end of the window', (r) => one(r.loadAverage)],
    ['setup: sessions created, opened, round 1; projectors subscribed (s)', (r) => `${one(r.setupSeconds)}; ${one(r.connectSeconds)}`],
  ];
  return {
    columns: results.map((r) => `N = ${count(r.sessions)}${r.servers.length > 1 ? `, ${r.servers.length} instances` : ''}${r.door ? ', through Apache' : ''}`),
    rows: table(results, rows),
    notes: [
      `${results[0]?.slots ?? 0} whole slots of ${Number(record.periodMs) / 1000} s measured after two of warm-up.`,
      ...results.flatMap((r) => r.problems.slice(0, 5).map((p) => `N = ${r.sessions}: ${p}`)),
    ],
    checks: [
      check('1,000 sessions: rotation jitter p99 ≤ 50 ms (when the projector can show each code)', at, (r) => `${r.frames.showLateness.p99} ms`, (r) =>
        r.frames.showLateness.p99 <= 50),
      check('1,000 sessions: RSS < 200 MB', at, (r) => `${one(rssMax(r))} MB`, (r) => rssMax(r) < 200),
      ...moonshot.map((r) =>
        check(`${count(r.sessions)} sessions (moonshot): rotation jitter p99 ≤ 50 ms; RSS max`, r, (x) => `${x.frames.showLateness.p99} ms; ${one(rssMax(x))} MB`, (x) =>
          x.frames.showLateness.p99 <= 50),
      ),
      checkEach('every session gets one frame per slot, one token per (session, slot)', results, (r) => `N=${r.sessions}: ${r.frames.missing} missing, ${r.frames.slotsWithSeveralTokens} with >1 token`, (r) =>
        r.frames.missing === 0 && r.frames.slotsWithSeveralTokens === 0),
    ],
  };
}

function scanView(record: BenchRecord): View {
  const results = record.results as ScanResult[];
  const ceilings = record.ceilings as CeilingFigures;
  const setting = (r: ScanResult) =>
    `N = ${count(r.students)}, ${r.instances} instance${r.instances === 1 ? '' : 's'}${r.arrivalSeconds > 0 ? `, arriving over ${r.arrivalSeconds} s` : ''}${r.door ? ', through Apache' : ''}`;
  const part = (r: ScanResult, name: string) => r.parts[name]!;
  const ratio = (r: ScanResult) => r.costMs / ceilings.simpleWebAuthn.msCpu;
  const b = (r: ScanResult) => r.burst;
  const rows: Array<Row<ScanResult>> = [
    ['confirmed / wall time of the burst (ms); **confirmed/s**', (r) => `${count(b(r).successes)} / ${count(b(r).wallMs)}; **${count(b(r).confirmedPerSecond)}**`],
    ['errors by code', (r) => errors(b(r).errors)],
    ['full two-step scan p50 / p99 / max (ms)', (r) => ms(b(r).scan)],
    ['confirm alone; challenge alone p50 / p99 / max (ms)', (r) => `${ms(b(r).confirm)}; ${ms(b(r).challenge)}`],
    ['confirmed on the other instance than the challenge', (r) => (r.instances > 1 && !r.door ? count(b(r).crossInstance) : '–')],
    ['rows committed (= confirmed?); projector live count after', (r) => `${count(r.committedRows)} (${r.committedRows === b(r).successes ? 'yes' : `${r.committedRows - b(r).successes} answers lost after the commit`}); ${r.projectorCount ?? '–'}`],
    ['**CPU per confirmed scan, server + PostgreSQL + Valkey (ms)**', (r) => `**${two(r.costMs)}**`],
    ['÷ SimpleWebAuthn verification alone (R)', (r) => two(ratio(r))],
    ['server CPU: % of one core; ms per scan (per instance)', (r) => each(r, (s) => `${one(s.percent)}; ${two(s.msPerScan)}`)],
    ['PostgreSQL; Valkey CPU: ms per scan', (r) => `${two(part(r, 'PostgreSQL').msPerScan)}; ${two(part(r, 'Valkey').msPerScan)}`],
    ['Apache CPU: ms per scan (--door; not in the R line)', (r) => (r.parts.Apache ? two(r.parts.Apache.msPerScan) : '–')],
    ['load generator; everything else (kernel, other programs): ms per scan', (r) => `${two(part(r, 'load generator').msPerScan)}; ${two(part(r, 'everything else').msPerScan)}`],
    ['whole machine busy in the burst (% of one core); before it (% of all); load average (1 min) after it', (r) =>
      `${one(r.machinePercent)}; ${one(r.busyBeforePercent)}; ${one(r.loadAverage)}`],
    ['server socket writes / reads per scan (per instance)', (r) => each(r, (s) => `${one(s.writesPerScan)} / ${one(s.readsPerScan)}`)],
    ['PostgreSQL transactions per scan; rollbacks; Valkey commands per scan', (r) => `${one(r.dbTransactionsPerScan)}; ${r.dbRollbacks}; ${one(r.valkeyCommandsPerScan)}`],
    ['server RSS max in the burst (MB, per instance)', (r) => each(r, (s) => one(s.rssMaxMB))],
    ['warm-up bursts: CPU per scan of each (ms)', (r) => r.warmups.map((w) => two(w.costMs)).join(', ')],
    ['receipts verify --all: receipts; ms per receipt wall / CPU / PostgreSQL CPU', ({ receipts: v }) => `${count(v.receipts)}; ${[v.wallMsPerReceipt, v.cpuMsPerReceipt, v.postgresMsPerReceipt].map(two).join(' / ')}`],
    ['setup: N phones enrolled through the API (s)', (r) => one(r.enrollSeconds)],
  ];
  const rLines = results
    .filter((r) => r.arrivalSeconds === 0)
    .map((r) => `CPU per confirmed scan (server + PostgreSQL + Valkey) ÷ SimpleWebAuthn verification alone: ${two(ratio(r))} (${setting(r)}: ${two(r.costMs)} ms ÷ ${two(ceilings.simpleWebAuthn.msCpu)} ms)`);
  const at500 = results.find((r) => setting(r) === 'N = 500, 1 instance');
  const swa = ceilings.simpleWebAuthn;
  return {
    columns: results.map(setting),
    rows: table(results, rows),
    notes: [
      `SimpleWebAuthn verifyAuthenticationResponse alone, one at a time in one process: ${count(swa.perSecond)}/s ` +
        `(rounds ${count(swa.min)}–${count(swa.max)}), ${two(swa.msCpu)} ms of CPU each; ` +
        `raw ES256 (node:crypto, ready keys): ${count(ceilings.es256.perSecond)}/s, ${two(ceilings.es256.msCpu)} ms.`,
      ...rLines,
    ],
    checks: [
      check('R ≤ 3.00 at N = 500 at once, one instance (moonshot 2.00)', at500, (r) => two(ratio(r)), (r) => ratio(r) <= 3),
      ...results
        .filter((r) => r.arrivalSeconds > 0 && r.students === 500)
        .map((r) =>
          check(`p99 < 150 ms, full two-step scan, ${setting(r)}`, r, (x) => `${Math.round(x.burst.scan.p99)} ms`, (x) =>
            x.burst.scan.p99 < 150 && x.burst.successes === x.students),
        ),
      checkEach('every confirmation committed, every burst (warm-ups included: the run fails otherwise); receipts verify clean', results, (r) => `${r.committedRows} ≥ ${r.burst.successes}`, (r) =>
        r.committedRows >= r.burst.successes),
    ],
  };
}

function doorView(record: BenchRecord): View {
  const results = record.results as DoorResult[];
  const memory = (m: DoorResult['apache']) => `${m.processes}: ${Math.round(m.rssMB)} / ${Math.round(m.pssMB)}`;
  const rows: Array<Row<DoorResult>> = [
    ['sockets open and authenticated; seconds to open them', (r) => `${count(r.opened)}; ${one(r.openSeconds)}`],
    ['sockets answered (pong) in the window; closed in it', (r) => `${count(r.answeredSockets)}; ${r.dropped}`],
    ['login page, GET /login.php p50 / p99 / max (ms)', (r) => ms(r.loginPage)],
    ['sign-in, POST /login.php p50 / p99 / max (ms)', (r) => ms(r.signIn)],
    ['API, GET /asistencia/api/me p50 / p99 / max (ms)', (r) => ms(r.api)],
    ['**scan challenge**, POST /asistencia/api/scan/challenge p50 / p99 / max (ms)', (r) => ms(r.scanChallenge)],
    ['full two-step scan p50 / p99 / max (ms); scans; errors', (r) => `${ms(r.scan)}; ${r.scanned}; ${errors(r.scanErrors)}`],
    ['requests answered wrong or not at all', (r) => `${r.failures.length} of ${r.loginPage.count + r.signIn.count + r.api.count + r.failures.length}`],
    ['Apache before the sockets, processes: RSS sum / PSS (MB)', (r) => memory(r.apacheIdle)],
    ['**Apache** with the sockets, processes: RSS sum / PSS (MB)', (r) => memory(r.apache)],
    ['php-fpm, processes: RSS sum / PSS (MB)', (r) => memory(r.phpFpm)],
    ['**node-service** RSS before the sockets / max with them (MB)', (r) => `${Math.round(r.nodeIdleMB)} / ${Math.round(r.nodeMB)}`],
    ['CPU in the window, % of one core: Apache / php-fpm / node-service / socket client', (r) => [r.cpu.apache, r.cpu.phpFpm, r.cpu.node, r.cpu.client].map(Math.round).join(' / ')],
    ["machine busy in the window (% of all cores, anyone's); load average", (r) => `${Math.round(r.machineBusyPercent)}; ${one(r.loadAverage)}`],
  ];
  const at = results.find((r) => r.sockets === 2000);
  const p99 = (name: string, d: (r: DoorResult) => Distribution) =>
    check(`2,000 sockets open: ${name} p99 < 200 ms`, at, (r) => `${d(r).p99} ms`, (r) => d(r).count > 0 && d(r).p99 < 200);
  const pace = record.pace as { signIns: number; apiCalls: number; scans: number };
  return {
    columns: results.map((r) => `N = ${count(r.sockets)}`),
    rows: table(results, rows),
    notes: [
      `A window of ${String(record.windowSeconds)} s: ${pace.signIns} sign-ins, ${pace.apiCalls} API calls and ${pace.scans} student scans started per second.`,
      ...results.flatMap((r) => r.failures.slice(0, 5).map((f) => `N = ${r.sockets}: ${f}`)),
    ],
    checks: [
      p99('login page (GET /login.php)', (r) => r.loginPage),
      p99('sign-in (POST /login.php)', (r) => r.signIn),
      p99('API (GET /asistencia/api/me)', (r) => r.api),
      p99('scan challenge (POST /asistencia/api/scan/challenge)', (r) => r.scanChallenge),
      checkEach('every socket stays open and answered, every request and scan answered right', results, (r) =>
        `N=${r.sockets}: ${r.opened - r.answeredSockets} unanswered, ${r.dropped} closed, ${r.failures.length} failed, scans: ${errors(r.scanErrors)}`, (r) =>
        r.answeredSockets === r.sockets && r.dropped === 0 && r.failures.length === 0 && Object.keys(r.scanErrors).length === 0),
    ],
  };
}

function soakView(record: BenchRecord): View {
  const soak = record as unknown as BenchRecord & SoakRecord;
  const minutes = [...new Set(soak.samples.map((s) => s.minute))];
  const at = (instance: string, minute: number) => soak.samples.find((s) => s.instance === instance && s.minute === minute);
  const heap = (s: SoakRecord['samples'][number] | undefined) => (s?.heap ? `${one(s.heap.usedMB)} / ${one(s.heap.totalMB)}` : '–');
  const rows = ['A', 'B'].flatMap((instance) => [
    [`${instance}: RSS (MB)`, ...minutes.map((m) => one(at(instance, m)?.rssMB ?? NaN))],
    [`${instance}: V8 heap used / total (MB)`, ...minutes.map((m) => heap(at(instance, m)))],
  ]);
  rows.push(['B: process', ...minutes.map((m) => String(at('B', m)?.pid ?? '–'))]);
  // RSS growth in MB per 10 minutes: the least-squares slope over A's samples (at least two).
  const points = soak.samples.filter((s) => s.instance === 'A' && s.minute >= soak.warmupMinutes).map((s) => [s.minute, s.rssMB]);
  const growth = points.length < 2 ? NaN : linearRegression(points).m * 10;
  return {
    columns: minutes.map((m) => `${m} min`),
    rows,
    notes: [
      `${soak.minutes} min: 2 instances, ${soak.projectors} sessions projected (half on each), a class of ${soak.students} scanning a fresh round every 10 s (half the students on each instance); instance B restarted every ${soak.restartMinutes} min (at ${soak.restarts.map((r) => `${r.minute} min in ${one(r.seconds)} s`).join(', ') || 'no time'}), its projectors reconnected to the new one.`,
      `Scans: ${count(soak.scans.bursts)} bursts, ${count(soak.scans.confirmed)} confirmed, errors: ${errors(soak.scans.errors)}. Projectors on A: ${soak.problems.length === 0 ? 'no problem' : soak.problems.join('; ')}.`,
      `Heap figures from the service's metrics when sampled (garbage not yet collected included).`,
    ],
    checks: [
      check(`A's RSS growth after the first ${soak.warmupMinutes} min (least squares over the samples) < 5 MB per 10 min`, Number.isFinite(growth) ? growth : undefined, (g) => `${two(g)} MB per 10 min`, (g) => g < 5),
    ],
  };
}

const views: Record<string, (record: BenchRecord) => View> = { projector: projectorView, scan: scanView, door: doorView, soak: soakView };
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : '**not met**');

/** The record as its section of docs/benchmarks.md (also what a run prints). */
export function render(record: BenchRecord): string {
  const view = views[record.scenario]!(record);
  const env = Object.entries(record.env).map(([name, value]) => `, \`${name}=${value}\``).join('');
  return [
    `## ${record.title[0]!.toUpperCase()}${record.title.slice(1)}`,
    '',
    `\`${record.command}\` on ${record.runner}${env}.  `,
    `Machine: ${record.machine.line}.  `,
    `Service source: ${record.source}.  `,
    '',
    ...view.notes.map((note) => `- ${note}`),
    '',
    `| ${['', ...view.columns].join(' | ')} |`,
    `|---|${view.columns.map(() => '---:').join('|')}|`,
    ...view.rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    '| target | measured | |',
    '|---|---|---|',
    ...view.checks.map((c) => `| ${c.target} | ${c.measured} | ${verdict(c.met)} |`),
  ].join('\n');
}

const BENCHMARKS_DOC = join(SERVICE_ROOT, '..', 'docs', 'benchmarks.md');

/** Replaces the scenario's section between its markers (or appends it); nothing outside the markers is touched. */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name}:start (generated by npm run bench; edits inside are replaced) -->`;
  const end = `<!-- bench:${name}:end -->`;
  const doc = existsSync(BENCHMARKS_DOC) ? readFileSync(BENCHMARKS_DOC, 'utf8') : '# Benchmarks\n';
  const from = doc.indexOf(`<!-- bench:${name}:start`);
  const to = doc.indexOf(end);
  const block = `${start}\n${markdown.trim()}\n${end}`;
  writeFileSync(BENCHMARKS_DOC, from >= 0 && to > from ? doc.slice(0, from) + block + doc.slice(to + end.length) : `${doc.trimEnd()}\n\n${block}\n`);
}
