import { startChild } from '../support/child.js';
import { waitForQuietMachine } from '../support/proc.js';
import { within } from '../support/stats.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import type { handlers } from './ceiling-worker.js';
import { measureScan, QUIET_WAIT_MS, type ScanResult } from './measure.js';

/**
 * A classroom scans and confirms: every combination of the sizes, instances, arrival windows and rotating
 * projectors asked for, each measured on a fresh database. With a baseline build the runs alternate,
 * this build then the baseline, `pairs` times per combination, so that a drift of the machine touches both.
 */
export const scanScenario: Scenario = {
  title: 'scan: a classroom scans and confirms',
  async run(context) {
    const { log } = context;
    const ceilings = await measureCeilings(context);
    const configurations = (context.arrivals ?? [0, 10]).flatMap((arrivalSeconds) =>
      (context.students ?? [100, 500]).flatMap((students) =>
        (context.instances ?? [1, 2]).flatMap((instances) =>
          (context.projectors ?? [0]).flatMap((projectors) =>
            (context.valkeyDelays ?? [null]).map((valkeyDelayMs) => ({ arrivalSeconds, students, instances, projectors, valkeyDelayMs })),
          ),
        ),
      ),
    );
    const builds = context.baseline ? [context.runner, context.baseline] : [context.runner];
    const pairs = context.baseline ? (context.pairs ?? 3) : 1;
    const results: Array<ScanResult & { build: number; pair: number }> = [];
    for (const configuration of configurations) {
      for (let pair = 1; pair <= pairs; pair += 1) {
        for (const [build, runner] of builds.entries()) {
          const { students, instances, arrivalSeconds, projectors, valkeyDelayMs } = configuration;
          const which = context.baseline ? `, ${build === 0 ? 'this build' : 'baseline'} run ${pair}` : '';
          const delay = valkeyDelayMs === null ? '' : `, Valkey + ${valkeyDelayMs} ms each way`;
          log(`scan, N = ${students}, ${instances} instance(s), arrival ${arrivalSeconds} s, ${projectors} other projectors${delay}${which}`);
          const { teardown, env, profile, machine } = context;
          const clients = context.clients ?? 2;
          const result = await measureScan({ ...configuration, runner, teardown, env, profile, clients, cores: machine.cpus, quietPercent: context.quietPercent ?? 20, log });
          results.push({ ...result, build, pair });
        }
      }
    }
    return { baseline: context.baseline?.label ?? null, ceilings, results };
  },
};

/** SimpleWebAuthn's verification alone (and raw ES256), in a process of its own, once the machine is quiet. */
async function measureCeilings(context: ScenarioContext) {
  await waitForQuietMachine(context.quietPercent ?? 20, QUIET_WAIT_MS, context.log);
  const worker = startChild<typeof handlers>(new URL('./ceiling-worker.ts', import.meta.url), 'the ceiling process', context.teardown);
  const ceilings = await within(120_000, 'measuring the ceilings', worker.call('measure', { roundMs: 2000, rounds: 5 }));
  await worker.stop();
  const { simpleWebAuthn: swa, es256 } = ceilings;
  context.log(`  SimpleWebAuthn alone: ${Math.round(swa.perSecond)}/s, ${swa.msCpu.toFixed(2)} ms of CPU each; raw ES256: ${Math.round(es256.perSecond)}/s`);
  return ceilings;
}
