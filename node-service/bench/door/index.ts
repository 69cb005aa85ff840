import type { Scenario } from '../support/scenario.js';
import { measureDoor, type DoorResult } from './measure.js';
import { consoleTable, markdownSection } from './report.js';

// 0: the same load with no socket open, the baseline each N is compared with.
const DEFAULT_SOCKETS = [0, 500, 2000, 5000];
const DEFAULT_WINDOW_SECONDS = 20;

/** The door holds a campus: N WebSockets open through Apache while people sign in and use the API. */
export const doorScenario: Scenario = {
  title: 'door: WebSockets held open through Apache while HTTP flows',
  async run(context) {
    const windowSeconds = context.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    const results: DoorResult[] = [];
    for (const sockets of context.sockets ?? DEFAULT_SOCKETS) {
      context.log(`door, N = ${sockets} sockets`);
      results.push(await measureDoor(sockets, { ...context, windowSeconds }));
    }
    return {
      text: consoleTable(results),
      markdown: markdownSection(results, { machine: context.machine, runner: context.runner.label, env: context.env, windowSeconds }),
    };
  },
};
