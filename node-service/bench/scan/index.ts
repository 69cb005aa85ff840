import { formatProfile } from '../support/cpu-profile.js';
import { formatWaits } from '../support/pg-waits.js';
import { describeSource } from '../support/source.js';
import type { Scenario } from '../support/scenario.js';
import { waitForQuietMachine } from '../support/system-cpu.js';
import { measureCeilings } from './ceilings.js';
import { consoleReport, markdownSection } from './report.js';
import { measureScan, QUIET_PERCENT, QUIET_WAIT_MS, type ScanResult } from './scenario.js';
import type { Teardown } from '../support/teardown.js';
import type { CeilingFigures } from './ceilings.js';

const DEFAULT_SIZES = [100, 500];
const DEFAULT_INSTANCES = [1, 2];
const DEFAULT_CLIENTS = 2;
/** All at once (the issue's burst), and the same classroom arriving over ten seconds (the product's promise). */
const DEFAULT_ARRIVALS = [0, 10];
const CEILING_ROUND_MS = 2000;
const CEILING_ROUNDS = 5;

/**
 * Issue 7: N students (100 and 500 unless told otherwise) scan and confirm at once, on one instance and on
 * two; then the same classrooms arriving over ten seconds.
 */
export const scanScenario: Scenario = {
  title: 'scan: a classroom scans and confirms at once',
  async run(context) {
    const { log } = context;
    // The working tree as compiled for this run (a prebuilt --service says what it is by its path).
    const source = /compiled by tsc|src\/main\.ts/.test(context.runner.label) ? describeSource() : `the build at ${context.runner.label}`;
    log(`source: ${source}`);
    log('ceilings: verification alone, in a process of its own');
    const ceilings = await quietCeilings(context.teardown, log);

    const results: ScanResult[] = [];
    const configurations = (context.arrivals ?? DEFAULT_ARRIVALS).flatMap((arrivalSeconds) =>
      (context.students ?? DEFAULT_SIZES).flatMap((students) =>
        (context.instances ?? DEFAULT_INSTANCES).map((instances) => ({ arrivalSeconds, students, instances })),
      ),
    );
    for (const { arrivalSeconds, students, instances } of configurations) {
      log(`scan, N = ${students}, ${instances} instance${instances === 1 ? '' : 's'}${arrivalSeconds > 0 ? `, arriving over ${arrivalSeconds} s` : ''}`);
      results.push(
        await measureScan(students, instances, {
          arrivalSeconds,
          runner: context.runner,
          teardown: context.teardown,
          env: context.env,
          profile: context.profile,
          clients: context.clients ?? DEFAULT_CLIENTS,
          cores: context.machine.cpus,
          log,
        }),
      );
    }
    const profiles = results.flatMap((r) => [
      ...r.profiles.map((p, i) => `N = ${r.students}, ${r.instances} instance(s), instance ${i + 1} during the burst: ${formatProfile(p)}`),
      ...(r.waits ? [`N = ${r.students}, ${r.instances} instance(s): ${formatWaits(r.waits)}`] : []),
    ]);
    return {
      text: [consoleReport(results, ceilings), ...profiles].join('\n\n'),
      markdown: markdownSection(results, ceilings, { machine: context.machine, runner: context.runner.label, env: context.env, source }),
    };
  },
};

/** The ceilings, measured once the machine is quiet. */
async function quietCeilings(teardown: Teardown, log: (line: string) => void): Promise<CeilingFigures> {
  await waitForQuietMachine(QUIET_PERCENT, QUIET_WAIT_MS, log);
  const figures = await measureCeilings(teardown, CEILING_ROUND_MS, CEILING_ROUNDS);
  const line = (name: string, r: CeilingFigures['es256']) =>
    `${name} ${Math.round(r.perSecond)}/s (rounds ${Math.round(r.min)}–${Math.round(r.max)}; ${Math.round(r.perCpuSecond)} per CPU-second)`;
  log(`  ${line('SimpleWebAuthn', figures.simpleWebAuthn)}, ${line('raw ES256', figures.es256)}`);
  return figures;
}
