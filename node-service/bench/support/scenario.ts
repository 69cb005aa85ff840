import type { Machine } from './machine.js';
import type { ServiceRunner } from './service.js';
import type { Teardown } from './teardown.js';

/** What every benchmark scenario gets from bench/run.ts, and what it gives back. */
interface ScenarioContext {
  runner: ServiceRunner;
  teardown: Teardown;
  machine: Machine;
  /** `--sessions=100,1000`-style sizes, when given; each scenario has its own defaults. */
  sizes: number[] | undefined;
  /** `--sockets=500,2000,5000`: the door scenario's sizes, when given. */
  sockets?: number[] | undefined;
  /** `--students=100,500`: the scan scenario's sizes, when given. */
  students?: number[] | undefined;
  /** `--instances=1,2`: how many service instances share the load, when given (scan). */
  instances?: number[] | undefined;
  /** `--arrival=0,10`: seconds over which the students start (0: all at once), when given (scan). */
  arrivals?: number[] | undefined;
  /** `--clients=2`: load-generator processes, when given (scan). */
  clients?: number | undefined;
  /** `--window=30`: seconds of measurement, when given. */
  windowSeconds: number | undefined;
  /** Extra environment for the service under test (`--env NAME=value`). */
  env: Record<string, string>;
  profile: boolean;
  log(line: string): void;
}

interface ScenarioReport {
  /** Printed at the end of the run. */
  text: string;
  /** The scenario's section of docs/benchmarks.md. */
  markdown: string;
}

export interface Scenario {
  title: string;
  run(context: ScenarioContext): Promise<ScenarioReport>;
}
