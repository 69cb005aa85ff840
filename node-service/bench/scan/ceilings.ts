import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVICE_ROOT } from '../support/service.js';
import { within } from '../support/stats.js';
import type { Teardown } from '../support/teardown.js';

/** What the scan could reach at best on one core: verification alone, with and without SimpleWebAuthn. */
export interface CeilingFigures {
  assertions: number;
  credentials: number;
  roundMs: number;
  rounds: number;
  /** verifyAuthenticationResponse, one at a time, in one process. */
  simpleWebAuthn: Rate;
  /** node:crypto verify('sha256', …) of the same signatures with ready key objects. */
  es256: Rate;
}

interface Rate {
  /** Median over the rounds of verifications per second of wall time. */
  perSecond: number;
  /** The lowest and highest round. */
  min: number;
  max: number;
  /** Median over the rounds of verifications per second of the process's CPU time (main thread and thread pool). */
  perCpuSecond: number;
}

/** Runs ceiling-worker.ts in a process of its own and returns its figures. */
export async function measureCeilings(teardown: Teardown, roundMs: number, rounds: number): Promise<CeilingFigures> {
  const child = fork(fileURLToPath(new URL('./ceiling-worker.ts', import.meta.url)), [], {
    cwd: SERVICE_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  teardown.defer(`stop the ceiling process pid ${child.pid}`, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const answer = new Promise<CeilingFigures>((resolve, reject) => {
    child.once('message', (message: { type: 'ceilings'; figures: CeilingFigures } | { type: 'failed'; error: string }) =>
      message.type === 'ceilings' ? resolve(message.figures) : reject(new Error(`the ceiling process failed: ${message.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`the ceiling process exited (${code}) without figures`)));
  });
  child.send({ roundMs, rounds });
  return within(60_000 + roundMs * rounds * 4, 'measuring the ceilings', answer);
}
