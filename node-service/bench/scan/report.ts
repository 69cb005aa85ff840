import { machineLine, type Machine } from '../support/machine.js';
import type { Distribution } from '../support/stats.js';
import type { BurstFigures } from './analysis.js';
import type { CeilingFigures } from './ceilings.js';
import { ROTATION_PERIOD_MS, PUBLIC_ORIGIN, type ScanResult } from './scenario.js';

/** The scan figures as a console table and as the scan section of docs/benchmarks.md. */

const TARGET = { students: 500, confirmedPerSecond: 2000, scanP99Ms: 150, ofCeiling: 0.8 } as const;

const count = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const one = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const two = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const ms = (d: Distribution) => (d.count === 0 ? '–' : `${Math.round(d.p50)} / ${Math.round(d.p99)} / ${Math.round(d.max)}`);
const over = (r: ScanResult) => (r.arrivalSeconds > 0 ? `, arriving over ${r.arrivalSeconds} s` : '');
const label = (r: ScanResult) => `N = ${count(r.students)}, ${r.instances} instance${r.instances === 1 ? '' : 's'}${over(r)}`;
const perInstance = (r: ScanResult, f: (s: ScanResult['servers'][number]) => string) => r.servers.map(f).join(' + ');

function errors(b: BurstFigures): string {
  const entries = Object.entries(b.errors).sort((x, y) => y[1] - x[1]);
  const repeated = b.alreadyConfirmed > 0 ? [`already_confirmed × ${b.alreadyConfirmed}`] : [];
  return entries.length === 0 && repeated.length === 0 ? 'none' : [...repeated, ...entries.map(([code, n]) => `${code} × ${n}`)].join(', ');
}

function rows(results: readonly ScanResult[], ceilings: CeilingFigures): Array<[string, ...string[]]> {
  const col = (f: (r: ScanResult) => string) => results.map(f);
  return [
    ['students; starting over (s, 0 = at the same instant); load processes', ...col((r) => `${count(r.students)}; ${r.arrivalSeconds}; ${r.clients}`)],
    ['confirmed / wall time of the burst (ms)', ...col((r) => `${count(r.burst.successes)} / ${count(r.burst.wallMs)}`)],
    ['**confirmed/s**', ...col((r) => `**${count(r.burst.confirmedPerSecond)}**`)],
    ['errors by code', ...col((r) => errors(r.burst))],
    ['full two-step scan p50 / p99 / max (ms)', ...col((r) => ms(r.burst.scan))],
    ['confirm alone p50 / p99 / max (ms)', ...col((r) => ms(r.burst.confirm))],
    ['challenge alone p50 / p99 / max (ms)', ...col((r) => ms(r.burst.challenge))],
    ['on the phone: challenge answered → confirm sent, p50 / p99 (ms)', ...col((r) => `${Math.round(r.burst.sign.p50)} / ${Math.round(r.burst.sign.p99)}`)],
    ['last student started after the common start (ms)', ...col((r) => count(r.burst.lastStartMs))],
    ['confirmed on the other instance than the challenge', ...col((r) => (r.instances > 1 ? count(r.burst.crossInstance) : '–'))],
    ['rows committed in attendance.validations (= confirmed?)', ...col((r) => `${count(r.burst.committedRows)} (${r.burst.committedRows === r.burst.successes ? 'yes' : '**NO**'})`)],
    ['projector live count after the burst', ...col((r) => (r.projectorCount === null ? '–' : count(r.projectorCount)))],
    ['confirmed/s ÷ SimpleWebAuthn alone (one core)', ...col((r) => two(r.burst.confirmedPerSecond / ceilings.simpleWebAuthn.perSecond))],
    ['server CPU, % of one core (per instance)', ...col((r) => perInstance(r, (s) => one(s.cpuPercent)))],
    ['server CPU ms per confirmed scan (per instance)', ...col((r) => perInstance(r, (s) => two(s.cpuMsPerScan)))],
    ['server socket writes / reads per confirmed scan (system calls, per instance)', ...col((r) => perInstance(r, (s) => `${one(s.writesPerScan)} / ${one(s.readsPerScan)}`))],
    ['server RSS after setup / max in burst (MB, per instance)', ...col((r) => perInstance(r, (s) => `${one(s.rssAfterSetupMB)} / ${one(s.rssMaxMB)}`))],
    ['PostgreSQL CPU: % of one core; ms per scan', ...col((r) => `${one(r.parts.PostgreSQL.percent)}; ${two(r.parts.PostgreSQL.msPerScan)}`)],
    ['Valkey CPU: % of one core; ms per scan', ...col((r) => `${one(r.parts.Valkey.percent)}; ${two(r.parts.Valkey.msPerScan)}`)],
    ['load generator CPU: % of one core; ms per scan', ...col((r) => `${one(r.parts['load generator'].percent)}; ${two(r.parts['load generator'].msPerScan)}`)],
    ['benchmark coordinator (projector socket) CPU: % of one core', ...col((r) => one(r.parts.coordinator.percent))],
    ['everything else (kernel, other programs): % of one core', ...col((r) => one(r.parts['everything else'].percent))],
    ['all metered CPU per confirmed scan (ms) → confirmed/s the cores would allow at that cost', ...col((r) => {
      const total = r.servers.reduce((sum, server) => sum + server.cpuMsPerScan, 0) +
        r.parts['load generator'].msPerScan + r.parts.coordinator.msPerScan + r.parts.PostgreSQL.msPerScan + r.parts.Valkey.msPerScan;
      return `${two(total)} → ${count((r.cores * 1000) / total)}`;
    })],
    [`whole machine busy during the burst (% of one core, of ${100 * (results[0]?.cores ?? 1)})`, ...col((r) => one(r.machinePercent))],
    ['PostgreSQL transactions per confirmed scan; rollbacks', ...col((r) => `${one(r.dbTransactionsPerScan)}; ${count(r.dbRollbacks)}`)],
    ['Valkey commands per confirmed scan', ...col((r) => one(r.valkeyCommandsPerScan))],
    ['first (warm-up) burst: confirmed/s; scan p99 (ms); errors', ...col((r) => `${count(r.warmup.confirmedPerSecond)}; ${count(r.warmup.scan.p99)}; ${errors(r.warmup)}`)],
    ['warm-up bursts run (more than 1: the machine got busy, so warmed up again)', ...col((r) => String(r.warmupBursts))],
    ['machine busy in the 1.5 s before the burst (% of all cores)', ...col((r) => one(r.busyBeforePercent))],
    ['setup: N passkeys enrolled through the API (s)', ...col((r) => one(r.enrollSeconds))],
  ];
}

interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
}

function targetChecks(results: readonly ScanResult[], ceilings: CeilingFigures): TargetCheck[] {
  // The issue's targets are for the burst: every student at the same instant.
  const at = results.filter((r) => r.students === TARGET.students && r.arrivalSeconds === 0);
  const arriving = results.filter((r) => r.students === TARGET.students && r.arrivalSeconds > 0);
  const where = (r: ScanResult) => `${r.instances} instance${r.instances === 1 ? '' : 's'}`;
  const each = (make: (r: ScanResult) => TargetCheck, fallback: string): TargetCheck[] =>
    at.length > 0 ? at.map(make) : [{ target: fallback, measured: 'not measured', met: undefined }];
  return [
    ...each(
      (r) => ({
        target: `≥ ${count(TARGET.confirmedPerSecond)} confirmed/s on this machine (N = ${TARGET.students}, ${where(r)})`,
        measured: `${count(r.burst.confirmedPerSecond)}/s`,
        met: r.burst.confirmedPerSecond >= TARGET.confirmedPerSecond,
      }),
      `≥ ${count(TARGET.confirmedPerSecond)} confirmed/s`,
    ),
    ...each(
      (r) => ({
        target: `p99 < ${TARGET.scanP99Ms} ms at ${TARGET.students} concurrent, full two-step scan (${where(r)})`,
        measured: `${Math.round(r.burst.scan.p99)} ms (confirm alone ${Math.round(r.burst.confirm.p99)} ms)`,
        met: r.burst.scan.p99 < TARGET.scanP99Ms && r.burst.successes === r.students,
      }),
      `p99 < ${TARGET.scanP99Ms} ms at ${TARGET.students} concurrent`,
    ),
    ...each(
      (r) => ({
        target: `≥ ${TARGET.ofCeiling} of the SimpleWebAuthn-alone ceiling (N = ${TARGET.students}, ${where(r)})`,
        measured: `${two(r.burst.confirmedPerSecond / ceilings.simpleWebAuthn.perSecond)} (${count(r.burst.confirmedPerSecond)} ÷ ${count(ceilings.simpleWebAuthn.perSecond)})`,
        met: r.burst.confirmedPerSecond / ceilings.simpleWebAuthn.perSecond >= TARGET.ofCeiling,
      }),
      `≥ ${TARGET.ofCeiling} of the SimpleWebAuthn-alone ceiling`,
    ),
    // Not a target of the issue: the same p99 bound, for a classroom that arrives over a few seconds.
    ...arriving.map((r) => ({
      target: `(the product's promise, not an issue target) p99 < ${TARGET.scanP99Ms} ms, full two-step scan, ${TARGET.students} students starting over ${r.arrivalSeconds} s (${where(r)})`,
      measured: `${Math.round(r.burst.scan.p99)} ms (max ${Math.round(r.burst.scan.max)} ms)`,
      met: r.burst.scan.p99 < TARGET.scanP99Ms && r.burst.successes === r.students,
    })),
    {
      target: 'committed rows = successes, every burst (warm-up bursts included)',
      measured: results.map((r) => `${label(r)}: ${count(r.burst.committedRows)} = ${count(r.burst.successes)}`).join('; '),
      met: results.every((r) => r.burst.committedRows === r.burst.successes && r.warmupsCommittedAsConfirmed),
    },
  ];
}

const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : '**not met**');

function ceilingLines(c: CeilingFigures): string[] {
  const rate = (r: CeilingFigures['es256']) =>
    `**${count(r.perSecond)}/s** (median of ${c.rounds} rounds of ${c.roundMs / 1000} s; rounds ${count(r.min)}–${count(r.max)}; ${count(r.perCpuSecond)} per second of CPU)`;
  return [
    `SimpleWebAuthn verifyAuthenticationResponse alone, one at a time in one process: ${rate(c.simpleWebAuthn)}`,
    `raw ES256, node:crypto verify with ready key objects: ${rate(c.es256)}`,
    `SimpleWebAuthn ÷ raw ES256: **${two(c.simpleWebAuthn.perSecond / c.es256.perSecond)}**`,
  ];
}

export function consoleReport(results: readonly ScanResult[], ceilings: CeilingFigures): string {
  const header: [string, ...string[]] = ['scan', ...results.map(label)];
  const all = [header, ...rows(results, ceilings)].map((row) => row.map((cell) => cell.replaceAll('**', '')));
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const checks = targetChecks(results, ceilings).map((c) => `  ${verdict(c.met).replaceAll('*', '').padEnd(12)} ${c.target}: ${c.measured}`);
  return [
    'ceilings:',
    ...ceilingLines(ceilings).map((l) => `  ${l.replaceAll('**', '')}`),
    '',
    ...all.map(line),
    '',
    'targets (issue 7):',
    ...checks,
  ].join('\n');
}

export function markdownSection(
  results: readonly ScanResult[],
  ceilings: CeilingFigures,
  context: { machine: Machine; runner: string; env: Record<string, string>; source: string },
): string {
  const extraEnv = Object.entries(context.env).map(([name, value]) => `\`${name}=${value}\``).join(', ');
  const clients = results[0]?.clients ?? 0;
  const table = [
    `| | ${results.map(label).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
    ...rows(results, ceilings).map(([name, ...cells]) => `| ${name} | ${cells.join(' | ')} |`),
  ];
  const checks = [
    '| target (issue 7) | measured | |',
    '|---|---|---|',
    ...targetChecks(results, ceilings).map((c) => `| ${c.target} | ${c.measured} | ${verdict(c.met)} |`),
  ];
  return `## Scan and confirm: a classroom at once (issue 7)

\`npx tsx bench/run.ts scan\` (\`--students=100,500\`, \`--instances=1,2\`, \`--arrival=0,10\` seconds, \`--clients=2\` load processes, \`--profile\` adds a CPU
profile of each instance and PostgreSQL's wait events during the burst): N students of one course each enrol a passkey through the real API
(\`/api/enrollment/options\` + \`/verify\`, with the tests' software authenticator: a node:crypto P-256 key per
passkey, and a second one per phone as its phone key). The course and its roster of N come from a stand-in for the portal's two internal endpoints
(\`PORTAL_INTERNAL_URL\`), as in production; the session refuses students off the roster (the default policy). The
teacher creates, opens and starts round 1 of a session with the longest rotation allowed (${ROTATION_PERIOD_MS / 1000} s, grace one
period), and a projector WebSocket gives the live QR token. Then **all N students at once** (concurrency N) do the
two-step scan: \`POST /api/scan/challenge { token, phone }\` (the token and a nonce signed by the phone key), a real
assertion signed over the server's fresh challenge, \`POST /api/scan/confirm\` with the phone key's signature over it. The issue's targets are for that burst; the columns "arriving over 10 s" repeat it with
the students' starts evenly spaced over ten seconds, closer to a real classroom (confirmed/s there is the arrival
rate, not a capacity). The service runs as ${context.runner} (NODE_ENV=production, LOG_LEVEL=warn,
PUBLIC_URL=${PUBLIC_ORIGIN} for every instance, the scan, user and public rate limits raised since all traffic comes from
127.0.0.1, database pool and everything else at their defaults${extraEnv ? `, ${extraEnv}` : ''}), once as **one** instance and
once as **two** on two ports sharing PostgreSQL and Valkey; with two, the students are spread evenly over
challenge-on-A/B × confirm-on-A/B, so half confirm on the other instance. Each configuration has a fresh database and
key prefix; an unmeasured first burst on a session of its own warms the JIT, pools and keep-alive connections.

The load comes from ${clients} separate Node processes (students split between them; HTTP/1.1 keep-alive, one
connection per student in flight). **This machine has ${context.machine.cpus} cores, shared by everything**: the service
instance(s), the load processes, PostgreSQL and Valkey. The load processes' CPU (ES256 signing, HTTP) is what the
students' phones would spend in a classroom; here it comes out of the same ${context.machine.cpus} cores as the server's. The CPU
rows say who used what from the common start to the last answer (utime + stime from \`/proc\`; PostgreSQL = its
background processes and this run's backends; "everything else" = the machine's busy time from \`/proc/stat\` minus
all of those). Each burst starts only once the machine has been quiet (under 20% busy); the ceilings run first, in a
process of their own.

- **confirmed/s** = answers "confirmed" ÷ the wall time from the common start to the last answer.
- **Full two-step scan**: challenge sent → confirmation received, on the phone's clock (signing included).
- **Rows committed**: \`count(*)\` of \`attendance.validations\` for the session and round after the burst; the run fails
  if it differs from the number of "confirmed" answers (warm-up bursts included).
- **PostgreSQL transactions** from \`pg_stat_database.xact_commit\` over the warm-up and measured bursts (a statement
  outside BEGIN…COMMIT counts as one); **Valkey commands** from \`INFO stats\` (the whole server); **socket writes and
  reads** are the instance's write/read system calls (\`/proc/<pid>/io\`): about one write per round trip to PostgreSQL or Valkey
  and per answer to a client.

Machine: ${machineLine(context.machine)}.
Service source: ${context.source}.

Ceilings (a process of their own, one verification at a time, ${count(ceilings.assertions)} real assertions of ${ceilings.credentials} credentials,
SimpleWebAuthn called with the arguments the service passes):

${ceilingLines(ceilings).map((l) => `- ${l}`).join('\n')}

${table.join('\n')}

${checks.join('\n')}
`;
}
