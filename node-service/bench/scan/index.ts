import { startChild } from '../support/child.js';
import { waitForQuietMachine } from '../support/proc.js';
import { within } from '../support/stats.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import type { handlers } from './ceiling-worker.js';
import { measureScan, QUIET_WAIT_MS, type ScanResult } from './measure.js';

/**
 * A classroom scans and confirms: every combination of the sizes, instances, arrival windows, rotating
 * projectors and Valkey delays asked for, each measured on a fresh database. With a baseline build the runs
 * alternate, this build then the baseline, `--pairs` times per combination, so that a drift of the machine
 * touches both.
 */
export const scanScenario: Scenario = {
  title: 'scan: a classroom scans and confirms',
  async run(context) {
    const ceilings = await measureCeilings(context);
    const configurations = (context.sizes('arrival') ?? [0, 10]).flatMap((arrivalSeconds) =>
      (context.sizes('students') ?? [100, 500]).flatMap((students) =>
        (context.sizes('instances') ?? [1, 2]).flatMap((instances) =>
          (context.sizes('projectors') ?? [0]).flatMap((projectors) =>
            (context.sizes('valkey-delay') ?? [null]).map((valkeyDelayMs) => ({ arrivalSeconds, students, instances, projectors, valkeyDelayMs })),
          ),
        ),
      ),
    );
    const builds = context.baseline ? [context.runner, context.baseline] : [context.runner];
    const results: Array<ScanResult & { build: number; pair: number }> = [];
    for (const c of configurations) {
      for (let pair = 1; pair <= (context.baseline ? (context.sizes('pairs')?.[0] ?? 3) : 1); pair += 1) {
        for (const [build, runner] of builds.entries()) {
          const which = context.baseline ? `, ${build === 0 ? 'this build' : 'baseline'} run ${pair}` : '';
          const delay = c.valkeyDelayMs === null ? '' : `, Valkey + ${c.valkeyDelayMs} ms each way`;
          context.log(`scan, N = ${c.students}, ${c.instances} instance(s), arrival ${c.arrivalSeconds} s, ${c.projectors} other projectors${delay}${which}`);
          results.push({ ...(await measureScan(c, runner, context)), build, pair });
        }
      }
    }
    return { baseline: context.baseline?.label ?? null, ceilings, results };
  },
};

/** SimpleWebAuthn's verification alone (and raw ES256), in a process of its own, once the machine is quiet. */
async function measureCeilings(context: ScenarioContext) {
  await waitForQuietMachine(context.sizes('quiet')?.[0] ?? 20, QUIET_WAIT_MS, context.log);
  const worker = startChild<typeof handlers>(new URL('./ceiling-worker.ts', import.meta.url), 'the ceiling process', context.teardown);
  const ceilings = await within(120_000, 'measuring the ceilings', worker.call('measure', { roundMs: 2000, rounds: 5 }));
  await worker.stop();
  const { simpleWebAuthn: swa, es256 } = ceilings;
  context.log(`  SimpleWebAuthn alone: ${Math.round(swa.perSecond)}/s, ${swa.msCpu.toFixed(2)} ms of CPU each; raw ES256: ${Math.round(es256.perSecond)}/s`);
  return ceilings;
}
