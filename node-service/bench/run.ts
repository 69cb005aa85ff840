import { parseArgs } from 'node:util';
import { doorScenario } from './door/index.js';
import { projectorScenario } from './projector/index.js';
import { scanScenario } from './scan/index.js';
import { writeSection } from './support/docs.js';
import { describeMachine, machineLine } from './support/machine.js';
import type { Scenario } from './support/scenario.js';
import { buildService, prebuiltRunner, tsxRunner } from './support/service.js';
import { createTeardown } from './support/teardown.js';

/**
 * `npm run bench [scenario…] [--sessions=100,1000] [--window=30] [--profile] [--no-docs] [--tsx | --service=<dir>]
 *  [--env NAME=value …]`; the scan scenario takes `--students=100,500` (its sizes), `--instances=1,2`,
 *  `--arrival=0,10` (seconds over which the students start; 0: all at once) and `--clients=2` (load-generator
 *  processes); the door scenario takes `--sockets=500,2000,5000` (WebSockets held open through Apache).
 *
 * Benchmarks, not tests: each scenario measures the real service on this machine, prints its figures and
 * rewrites its section of docs/benchmarks.md. Everything a run starts it stops, also when it fails or is
 * interrupted, and no run outlives TIME_LIMIT_MS.
 */
const scenarios: Record<string, Scenario | undefined> = {
  projector: projectorScenario,
  scan: scanScenario,
  door: doorScenario,
};
const TIME_LIMIT_MS = 30 * 60_000;

const print = (text: string) => process.stdout.write(`${text}\n`);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sessions: { type: 'string' },
    students: { type: 'string' },
    sockets: { type: 'string' },
    instances: { type: 'string' },
    clients: { type: 'string' },
    arrival: { type: 'string' },
    window: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    service: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
  },
});

function selectedScenarios(): Array<[string, Scenario]> {
  const names = positionals.length === 0 || positionals.includes('all') ? Object.keys(scenarios) : positionals;
  const chosen: Array<[string, Scenario]> = [];
  for (const name of names) {
    if (!(name in scenarios)) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(scenarios).join(', ')}, all`);
    const scenario = scenarios[name];
    if (scenario) chosen.push([name, scenario]);
    else if (positionals.includes(name)) throw new Error(`scenario "${name}" is not written yet`);
  }
  return chosen;
}

function positiveNumbers(text: string | undefined, what: string): number[] | undefined {
  if (text === undefined) return undefined;
  const numbers = text.split(',').map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`--${what}: expected positive whole numbers, got "${text}"`);
  return numbers;
}

function wholeNumbers(text: string | undefined, what: string): number[] | undefined {
  if (text === undefined) return undefined;
  const numbers = text.split(',').map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`--${what}: expected whole numbers (0 or more), got "${text}"`);
  return numbers;
}

/** `--env NAME=value`: extra environment for the service under test (e.g. NODE_OPTIONS), recorded with its figures. */
function serviceEnv(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`--env: expected NAME=value, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

const teardown = createTeardown();

async function main(): Promise<void> {
  const chosen = selectedScenarios();
  const sizes = positiveNumbers(values.sessions, 'sessions');
  const students = positiveNumbers(values.students, 'students');
  const sockets = wholeNumbers(values.sockets, 'sockets');
  const instances = positiveNumbers(values.instances, 'instances');
  const arrivals = wholeNumbers(values.arrival, 'arrival');
  const clients = positiveNumbers(values.clients, 'clients')?.[0];
  const windowSeconds = positiveNumbers(values.window, 'window')?.[0];
  const env = serviceEnv(values.env);
  // A profiled server is slower: its figures are printed, never recorded.
  const writeDocs = !values['no-docs'] && !values.profile;
  const runner = values.service ? prebuiltRunner(values.service) : values.tsx ? tsxRunner : await buildService();
  const machine = await describeMachine();
  print(`machine: ${machineLine(machine)}`);
  for (const [name, scenario] of chosen) {
    print(`\n== ${scenario.title}`);
    const report = await scenario.run({ runner, teardown, machine, sizes, students, sockets, instances, arrivals, clients, windowSeconds, env, profile: values.profile, log: print });
    print(`\n${report.text}`);
    if (writeDocs) {
      writeSection(name, report.markdown);
      print(`\ndocs/benchmarks.md: ${name} section written`);
    }
  }
}

function stopEverything(why: string, exitCode: number): void {
  console.error(`\n${why}: stopping what the benchmark started…`);
  void teardown.run().finally(() => process.exit(exitCode));
}

process.once('SIGINT', () => stopEverything('interrupted', 130));
process.once('SIGTERM', () => stopEverything('terminated', 143));
const limit = setTimeout(() => stopEverything(`time limit of ${TIME_LIMIT_MS / 60_000} min reached`, 1), TIME_LIMIT_MS);

main()
  .then(
    () => teardown.run(),
    async (error: unknown) => {
      console.error(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await teardown.run();
      process.exitCode = 1;
    },
  )
  .finally(() => clearTimeout(limit));
