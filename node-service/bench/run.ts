import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { doorScenario } from './door/index.js';
import { projectorScenario } from './projector/index.js';
import { render, writeSection, type BenchRecord } from './render.js';
import { scanScenario } from './scan/index.js';
import { soakScenario } from './soak/index.js';
import type { Scenario, ScenarioContext } from './scenario.js';
import { formatProfile, type ProfileSummary } from './support/cpu-profile.js';
import { describeMachine, describeSource } from './support/machine.js';
import { buildBaseline, buildService, prebuiltRunner, SERVICE_ROOT, tsxRunner } from './support/service.js';
import { createTeardown } from './support/teardown.js';

/**
 * `npm run bench -- [scenario…] [options]`, or `npm run bench -- render [scenario…]` to redo the docs from
 * the stored results. Benchmarks, not tests: each scenario measures the real service on this machine, writes
 * its figures to bench/results/<scenario>.json (this machine's, not committed), prints them and rewrites its section of docs/benchmarks.md
 * (not with --no-docs or --profile). Everything a run starts it stops, also on failure or Ctrl-C, and no run
 * outlives --minutes. The options are listed in docs/benchmarks.md.
 */
const scenarios: Record<string, Scenario> = { projector: projectorScenario, scan: scanScenario, door: doorScenario, soak: soakScenario };
const RESULTS_DIR = join(SERVICE_ROOT, 'bench', 'results');
const print = (text: string) => process.stdout.write(`${text}\n`);
const list = { type: 'string' } as const;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sessions: list, students: list, sockets: list, instances: list, arrival: list, projectors: list,
    clients: list, pairs: list, quiet: list, window: list, service: list, baseline: list, minutes: list, restart: list, 'valkey-delay': list,
    profile: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
  },
});

/** `--name=1,2,3`: whole numbers of at least `min`. */
function numbers(name: keyof typeof values, min = 1): number[] | undefined {
  const text = values[name] as string | undefined;
  if (text === undefined) return undefined;
  const parsed = text.split(',').map(Number);
  if (parsed.some((n) => !Number.isInteger(n) || n < min)) throw new Error(`--${name}: expected whole numbers ≥ ${min}, got "${text}"`);
  return parsed;
}

/** `--env NAME=value`: extra environment for the service under test (e.g. NODE_OPTIONS), recorded with its figures. */
const serviceEnv = () =>
  Object.fromEntries(
    values.env.map((pair) => {
      if (pair.indexOf('=') <= 0) throw new Error(`--env: expected NAME=value, got "${pair}"`);
      return [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    }),
  );

function chosen(): string[] {
  const names = positionals.filter((p) => p !== 'render');
  // The soak (an hour) runs only when named.
  const picked = names.length === 0 || names.includes('all') ? Object.keys(scenarios).filter((n) => n !== 'soak') : names;
  for (const name of picked) if (!(name in scenarios)) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(scenarios).join(', ')}, all`);
  return picked;
}

const teardown = createTeardown();

async function measure(): Promise<void> {
  const runner = values.service ? prebuiltRunner(values.service) : values.tsx ? tsxRunner : await buildService();
  const baseline = values.baseline ? await buildBaseline(values.baseline, teardown) : undefined;
  const machine = await describeMachine();
  const context: ScenarioContext = {
    runner,
    baseline,
    teardown,
    machine,
    env: serviceEnv(),
    profile: values.profile,
    log: print,
    sessions: numbers('sessions'),
    students: numbers('students'),
    sockets: numbers('sockets', 0),
    instances: numbers('instances'),
    arrivals: numbers('arrival', 0),
    projectors: numbers('projectors', 0),
    clients: numbers('clients')?.[0],
    pairs: numbers('pairs')?.[0],
    windowSeconds: numbers('window')?.[0],
    quietPercent: numbers('quiet')?.[0],
    valkeyDelays: numbers('valkey-delay', 0),
    minutes: numbers('minutes')?.[0],
    restartMinutes: numbers('restart')?.[0],
  };
  print(`machine: ${machine.line}`);
  for (const name of chosen()) {
    const scenario = scenarios[name]!;
    print(`\n== ${scenario.title}`);
    const figures = await scenario.run(context);
    const source = values.service ? `the build at ${values.service}` : describeSource();
    const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
    const record: BenchRecord = { scenario: name, title: scenario.title, command, machine, runner: runner.label, source, env: context.env, ...figures };
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(record, null, 1)}\n`);
    const { text, markdown } = render(record);
    print(`\n${text}`);
    printProfiles(record);
    // A profiled server is slower: its figures are printed, never recorded.
    if (!values['no-docs'] && !values.profile) writeSection(name, markdown);
    print(`\nbench/results/${name}.json written${values['no-docs'] || values.profile ? '' : `, docs/benchmarks.md's ${name} section rewritten`}`);
  }
}

function printProfiles(record: BenchRecord): void {
  for (const result of (record.results ?? []) as Array<{ cpuProfile?: ProfileSummary; profiles?: ProfileSummary[] }>) {
    for (const profile of [result.cpuProfile, ...(result.profiles ?? [])]) if (profile) print(`\nCPU profile of the server: ${formatProfile(profile)}`);
  }
}

/**
 * Redoes the docs sections from bench/results/*.json (e.g. after the renderer changed). The results are this
 * machine's own (not committed): a scenario with none stored is named, and its section left as it is.
 */
function renderStored(): void {
  const stored = existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : [];
  const names = positionals.length > 1 ? chosen() : stored;
  const missing = names.filter((name) => !stored.includes(name));
  for (const name of names.filter((n) => stored.includes(n))) {
    writeSection(name, render(JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as BenchRecord).markdown);
  }
  if (missing.length > 0) print(`no stored results for ${missing.join(', ')} (bench/results/ is not committed): run \`npm run bench -- ${missing.join(' ')}\``);
  print(`docs/benchmarks.md: ${names.filter((n) => stored.includes(n)).join(', ') || 'nothing'} rendered from bench/results/`);
}

function stopEverything(why: string, exitCode: number): void {
  console.error(`\n${why}: stopping what the benchmark started…`);
  void teardown.run().finally(() => process.exit(exitCode));
}

process.once('SIGINT', () => stopEverything('interrupted', 130));
process.once('SIGTERM', () => stopEverything('terminated', 143));
// The soak runs for --minutes: its setup and teardown get 20 more.
const minutes = (numbers('minutes')?.[0] ?? 60) + (positionals[0] !== 'render' && chosen().includes('soak') ? 20 : 0);
const limit = setTimeout(() => stopEverything(`time limit of ${minutes} min reached (--minutes)`, 1), minutes * 60_000);

(positionals[0] === 'render' ? Promise.resolve().then(renderStored) : measure())
  .then(
    () => teardown.run(),
    async (error: unknown) => {
      console.error(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await teardown.run();
      process.exitCode = 1;
    },
  )
  .finally(() => clearTimeout(limit));
