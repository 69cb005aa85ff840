import type { Machine } from './support/machine.js';
import type { ServiceRunner } from './support/service.js';
import type { Teardown } from './support/lifecycle.js';

/** The numeric options (`--name=1,2,3`), each a list of sizes; docs/benchmarks.md says which scenario reads which. */
export const SIZE_OPTIONS = ['sessions', 'students', 'sockets', 'instances', 'arrival', 'clients', 'window', 'minutes', 'restart', 'warmups'] as const;
export type SizeOption = (typeof SIZE_OPTIONS)[number];

/** What every scenario gets from bench/run.ts. */
export interface ScenarioContext {
  runner: ServiceRunner;
  teardown: Teardown;
  machine: Machine;
  /** `--name=1,2,3` as given, or undefined: each scenario has its defaults. */
  sizes(name: SizeOption): number[] | undefined;
  /** `--door`: the clients reach the instances through Apache, its balancer over them as in production (scan, projector). */
  door: boolean;
  /** Extra environment for the service under test (`--env NAME=value`). */
  env: Record<string, string>;
  profile: boolean;
  log(line: string): void;
}

/** A scenario's figures: plain JSON, written to bench/results/ and rendered by bench/render.ts. */
export type Scenario = { title: string; run(context: ScenarioContext): Promise<Record<string, unknown>> };
