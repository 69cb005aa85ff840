import type { Machine } from './support/machine.js';
import type { ServiceRunner } from './support/service.js';
import type { Teardown } from './support/teardown.js';

/** What every scenario gets from bench/run.ts; each list is a set of sizes asked for on the command line (each scenario has defaults). */
export interface ScenarioContext {
  runner: ServiceRunner;
  /** `--baseline=<rev>`: a second build to alternate with (scan). */
  baseline: ServiceRunner | undefined;
  teardown: Teardown;
  machine: Machine;
  sessions?: number[] | undefined;
  students?: number[] | undefined;
  sockets?: number[] | undefined;
  instances?: number[] | undefined;
  arrivals?: number[] | undefined;
  projectors?: number[] | undefined;
  clients?: number | undefined;
  pairs?: number | undefined;
  windowSeconds?: number | undefined;
  /** `--quiet=20`: each measurement starts once the shared machine is at most this busy (% of all cores), or after a few minutes. */
  quietPercent?: number | undefined;
  /** `--valkey-delay=0,50,200`: the service reaches Valkey through a TCP proxy that holds each write this long (ms) each way (scan). */
  valkeyDelays?: number[] | undefined;
  /** `--minutes=60` (soak): how long the soak runs; `--restart=10`: minutes between restarts of its instance B. */
  minutes?: number | undefined;
  restartMinutes?: number | undefined;
  /** Extra environment for the service under test (`--env NAME=value`). */
  env: Record<string, string>;
  profile: boolean;
  log(line: string): void;
}

/** A scenario's figures: plain JSON, written to bench/results/ and rendered by bench/render.ts. */
export interface Scenario {
  title: string;
  run(context: ScenarioContext): Promise<Record<string, unknown>>;
}
