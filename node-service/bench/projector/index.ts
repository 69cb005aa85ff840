import { formatProfile } from '../support/cpu-profile.js';
import type { Scenario } from '../support/scenario.js';
import { consoleTable, markdownSection } from './report.js';
import { measureProjection, type ProjectorResult } from './scenario.js';

const DEFAULT_SIZES = [100, 1000];
const DEFAULT_WINDOW_SECONDS = 30;

/** Issue 4: N sessions projected at once on one instance, N = 100 and 1,000 unless told otherwise. */
export const projectorScenario: Scenario = {
  title: 'projector: sessions projected at once on one instance',
  async run(context) {
    const windowSeconds = context.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    const results: ProjectorResult[] = [];
    for (const sessions of context.sizes ?? DEFAULT_SIZES) {
      context.log(`projector, N = ${sessions}`);
      results.push(await measureProjection(sessions, { ...context, windowSeconds }));
    }
    const profiles = results.flatMap((r) => (r.profile ? [`N = ${r.sessions}: ${formatProfile(r.profile)}`] : []));
    return {
      text: [consoleTable(results), ...profiles].join('\n\n'),
      markdown: markdownSection(results, { machine: context.machine, runner: context.runner.label, env: context.env, windowSeconds }),
    };
  },
};
