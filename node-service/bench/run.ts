import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { doorScenario } from './door/index.js';
import { projectorScenario } from './projector/index.js';
import { render, writeSection, type BenchRecord } from './render.js';
import { scanScenario } from './scan/index.js';
import { soakScenario } from './soak/index.js';
import { SIZE_OPTIONS, type Scenario, type ScenarioContext, type SizeOption } from './scenario.js';
import { describeMachine, describeSource } from './support/machine.js';
import { buildService, prebuiltRunner, SERVICE_ROOT } from './support/service.js';
import { createTeardown } from './support/lifecycle.js';

/**
 * `npm run bench -- [scenario…] [options]`, or `npm run bench -- render` to redo the docs from the stored
 * results. Each scenario measures the real service on this machine, writes its figures to
 * bench/results/<scenario>.json (not committed), prints them and rewrites its section of docs/benchmarks.md
 * (not with --no-docs or --profile). Everything a run starts it stops, also on failure or Ctrl-C, and no run
 * outlives --minutes. The options are listed in docs/benchmarks.md.
 */
const scenarios: Record<string, Scenario> = { projector: projectorScenario, scan: scanScenario, door: doorScenario, soak: soakScenario };
const RESULTS_DIR = join(SERVICE_ROOT, 'bench', 'results');
/** The sizes that may be 0 (no sockets, all at once); the others start at 1. */
const ZERO_ALLOWED = new Set<SizeOption>(['sockets', 'arrival']);
const print = (text: string) => process.stdout.write(`${text}\n`);

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ...Object.fromEntries(SIZE_OPTIONS.map((name) => [name, { type: 'string' } as const])),
    service: { type: 'string' },
    profile: { type: 'boolean', default: false },
    door: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
  },
});

/** `--name=1,2,3`: whole numbers (≥ 1, or ≥ 0 where ZERO_ALLOWED says). */
function sizes(name: SizeOption): number[] | undefined {
  const text = (flags as Record<string, unknown>)[name] as string | undefined;
  const min = ZERO_ALLOWED.has(name) ? 0 : 1;
  const parsed = text?.split(',').map(Number);
  if (parsed?.some((n) => !Number.isInteger(n) || n < min)) throw new Error(`--${name}: expected whole numbers ≥ ${min}, got "${text}"`);
  return parsed;
}

/** `--env NAME=value`: extra environment for the service under test (e.g. NODE_OPTIONS), recorded with its figures. */
function serviceEnv(): Record<string, string> {
  for (const pair of flags.env) if (pair.indexOf('=') <= 0) throw new Error(`--env: expected NAME=value, got "${pair}"`);
  return Object.fromEntries(flags.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

function chosen(): string[] {
  // The soak (an hour) runs only when named.
  const picked = positionals.length === 0 || positionals.includes('all') ? Object.keys(scenarios).filter((n) => n !== 'soak') : positionals;
  for (const name of picked) if (!(name in scenarios)) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(scenarios).join(', ')}, all`);
  return picked;
}

const teardown = createTeardown();

async function measure(): Promise<void> {
  const runner = flags.service ? prebuiltRunner(flags.service) : await buildService();
  const machine = await describeMachine();
  const context: ScenarioContext = { runner, teardown, machine, sizes, door: flags.door, env: serviceEnv(), profile: flags.profile, log: print };
  // A profiled server is slower: its figures are printed, never recorded.
  const keepDocs = flags['no-docs'] || flags.profile;
  print(`machine: ${machine.line}`);
  for (const name of chosen()) {
    const scenario = scenarios[name]!;
    print(`\n== ${scenario.title}`);
    const figures = await scenario.run(context);
    const source = flags.service ? `the build at ${flags.service}` : describeSource();
    const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
    const record: BenchRecord = { scenario: name, title: scenario.title, command, machine, runner: runner.label, source, env: context.env, ...figures };
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(record, null, 1)}\n`);
    const markdown = render(record);
    print(`\n${markdown}`);
    const results = (record.results ?? []) as Array<{ profile?: string }>;
    for (const { profile } of results) if (profile) print(`\nCPU profiles of the server (node --cpu-prof): ${profile}`);
    if (!keepDocs) writeSection(name, markdown);
    print(`\nbench/results/${name}.json written${keepDocs ? '' : `, docs/benchmarks.md's ${name} section rewritten`}`);
  }
}

/**
 * Redoes the docs sections from bench/results/*.json (e.g. after the renderer changed): this machine's own
 * results (not committed); the section of a scenario with none stored is left as it is.
 */
function renderStored(): void {
  const stored = existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : [];
  for (const name of stored) writeSection(name, render(JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as BenchRecord));
  const missing = Object.keys(scenarios).filter((name) => !stored.includes(name));
  print(`docs/benchmarks.md: ${stored.join(', ') || 'nothing'} rendered from bench/results/${missing.length > 0 ? `; none stored for ${missing.join(', ')}` : ''}`);
}

function stopEverything(why: string, exitCode: number): void {
  console.error(`\n${why}: stopping what the benchmark started…`);
  void teardown.run().finally(() => process.exit(exitCode));
}

process.once('SIGINT', () => stopEverything('interrupted', 130));
process.once('SIGTERM', () => stopEverything('terminated', 143));
// The soak runs for --minutes: its setup and teardown get 20 more.
const minutes = (sizes('minutes')?.[0] ?? 60) + (positionals[0] !== 'render' && chosen().includes('soak') ? 20 : 0);
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
