import { machineLine, type Machine } from '../support/machine.js';
import type { Distribution } from '../support/stats.js';
import type { DoorResult, Memory } from './measure.js';

/** The door figures as a console table and as the door section of docs/benchmarks.md. */

const TARGET = { sockets: 2000, p99Ms: 200 } as const;

const count = (n: number) => n.toLocaleString('en-US');
const ms = (d: Distribution) => (d.count === 0 ? '–' : `${d.p50} / ${d.p99} / ${d.max}`);
const one = (n: number) => n.toFixed(1);
const memory = (m: Memory) => `${m.processes}: ${Math.round(m.rssMB)} / ${Math.round(m.pssMB)}`;

function rows(results: readonly DoorResult[]): Array<[string, ...string[]]> {
  const col = (f: (r: DoorResult) => string) => results.map(f);
  return [
    ['sockets open and authenticated; seconds to open them', ...col((r) => `${count(r.opened)}; ${one(r.openSeconds)}`)],
    ['sockets answered (pong) in the window; closed in it', ...col((r) => `${count(r.answeredSockets)}; ${r.dropped}`)],
    ['login page, GET /login.php p50 / p99 / max (ms)', ...col((r) => ms(r.loginPage))],
    ['sign-in, POST /login.php p50 / p99 / max (ms)', ...col((r) => ms(r.signIn))],
    ['API, GET /asistencia/api/me p50 / p99 / max (ms)', ...col((r) => ms(r.api))],
    ['requests answered wrong or not at all', ...col((r) => `${r.failures.length} of ${r.loginPage.count + r.signIn.count + r.api.count + r.failures.length}`)],
    ['Apache before the sockets, processes: RSS sum / PSS (MB)', ...col((r) => memory(r.apacheIdle))],
    ['Apache with the sockets, processes: RSS sum / PSS (MB)', ...col((r) => memory(r.apache))],
    ['php-fpm, processes: RSS sum / PSS (MB)', ...col((r) => memory(r.phpFpm))],
    ['node-service RSS before the sockets / max with them (MB)', ...col((r) => `${Math.round(r.nodeIdleMB)} / ${Math.round(r.nodeMB)}`)],
    ['CPU in the window, % of one core: Apache / php-fpm / node-service / socket client', ...col((r) => `${Math.round(r.cpu.apache)} / ${Math.round(r.cpu.phpFpm)} / ${Math.round(r.cpu.node)} / ${Math.round(r.cpu.client)}`)],
    ['machine busy in the window (% of all cores, anyone\'s); load average', ...col((r) => `${Math.round(r.machineBusyPercent)}; ${one(r.loadAverage)}`)],
  ];
}

interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
}

function targetChecks(results: readonly DoorResult[]): TargetCheck[] {
  const at = results.find((r) => r.sockets === TARGET.sockets);
  const p99 = (label: string, pick: (r: DoorResult) => Distribution): TargetCheck => ({
    target: `${count(TARGET.sockets)} sockets open: ${label} p99 < ${TARGET.p99Ms} ms`,
    measured: at ? `${pick(at).p99} ms` : 'not measured',
    met: at ? pick(at).count > 0 && pick(at).p99 < TARGET.p99Ms : undefined,
  });
  return [
    p99('login page (GET /login.php)', (r) => r.loginPage),
    p99('sign-in (POST /login.php, the password check)', (r) => r.signIn),
    p99('API (GET /asistencia/api/me)', (r) => r.api),
    {
      target: 'every socket stays open and answered, every request answered right',
      measured: results.map((r) => `N=${r.sockets}: ${r.opened - r.answeredSockets} unanswered, ${r.dropped} closed, ${r.failures.length} failed`).join('; '),
      met: results.every((r) => r.opened === r.sockets && r.answeredSockets === r.sockets && r.dropped === 0 && r.failures.length === 0),
    },
  ];
}

const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : '**not met**');

export function consoleTable(results: readonly DoorResult[]): string {
  const header: [string, ...string[]] = ['door', ...results.map((r) => `N = ${count(r.sockets)}`)];
  const all = [header, ...rows(results)];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const checks = targetChecks(results).map((c) => `  ${verdict(c.met).replaceAll('*', '').padEnd(12)} ${c.target}: ${c.measured}`);
  const failures = results.flatMap((r) => r.failures.slice(0, 5).map((f) => `  N=${r.sockets}: ${f}`));
  return [line(header), ...rows(results).map(line), '', 'targets:', ...checks, ...(failures.length ? ['', 'failed requests:', ...failures] : [])].join('\n');
}

export function markdownSection(
  results: readonly DoorResult[],
  context: { machine: Machine; runner: string; env: Record<string, string>; windowSeconds: number },
): string {
  const extraEnv = Object.entries(context.env).map(([name, value]) => `\`${name}=${value}\``).join(', ');
  const table = [
    `| | ${results.map((r) => `N = ${count(r.sockets)}`).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
    ...rows(results).map(([label, ...cells]) => `| ${label} | ${cells.join(' | ')} |`),
  ];
  const checks = [
    '| target | measured | |',
    '|---|---|---|',
    ...targetChecks(results).map((c) => `| ${c.target} | ${c.measured} | ${verdict(c.met)} |`),
  ];
  return `## Door: WebSockets held open through Apache while HTTP flows

\`npx tsx bench/run.ts door\` (sizes: \`--sockets=0,500,2000,5000\`; 0 is the same load with no socket open): the door as in production, started by the tests'
harness (\`test/support/apache.ts\`): Apache 2.4 with the event MPM sized by \`apache-config/mpm-event.conf\`, the
portal in php-fpm on a unix socket, node-service as its own process (${context.runner}, NODE_ENV=production,
LOG_LEVEL=warn${extraEnv ? `, ${extraEnv}` : ''}) on PostgreSQL and Valkey, everything on this one machine. A separate
client process opens N WebSockets through Apache (100 at a time), each a different student that authenticates with
its first message and then pings every 10 s. Then, for ${context.windowSeconds} s, the benchmark starts 5 sign-ins a
second (GET the form, POST the demo password: bcrypt cost 10) and 20 API calls a second (\`GET /asistencia/api/me\`
with a portal token), at that pace whatever the answers, each on a new connection, and times every one.

- Memory: every process of Apache's (and php-fpm's) process group, from \`/proc/<pid>/smaps_rollup\`: RSS summed
  (shared pages counted once per process, so it overstates) and PSS (shared pages split between the processes:
  what the group really holds); the sample with the largest PSS during the window. node-service: \`VmRSS\`, the
  largest of samples every 500 ms.
- The machine is shared: the window starts once it is at most 50 % busy (or after two minutes), and the last row
  says how busy it was meanwhile (all processes, the door's own work included) and its load average. Figures taken
  while other work ran (a load average well above the 2 cores) show that work, not the door.
- Each open WebSocket holds one of Apache's worker threads (Apache 2.4 tunnels synchronously), so Apache's
  processes grow with N: 250 threads each (\`apache-config/mpm-event.conf\`).

Machine: ${machineLine(context.machine)}.

${table.join('\n')}

${checks.join('\n')}
`;
}
