import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnService, type SpawnedService } from '../support/service.js';
import { waitForReady } from '../support/spawn.js';

/**
 * The service as an operator runs it: its own process, judged only by what it prints, how it answers and
 * how it exits. Every process and folder made here is cleaned up by `cleanUp()`.
 */
export interface Launched extends SpawnedService {
  /** What the process wrote to stderr alone. */
  stderr(): string;
  /** Resolves when the process exits by itself or after a signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The JSON log lines printed so far. */
  logs(): Array<Record<string, unknown>>;
}

const launched: Launched[] = [];
const folders: string[] = [];

export async function launch(env: Record<string, string>, port?: number): Promise<Launched> {
  const service = spawnService(env, port ?? (await freePort()));
  let stderr = '';
  service.process.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    service.process.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running: Launched = { ...service, stderr: () => stderr, exited, logs: () => jsonLines(service.output()) };
  launched.push(running);
  return running;
}

/** Starts the service and waits until /asistencia/ready answers 200. */
export async function launchReady(env: Record<string, string>, timeoutMs = 30_000): Promise<Launched> {
  const service = await launch(env);
  await waitForReady(`${service.baseUrl}/asistencia/ready`, timeoutMs, service.output);
  return service;
}

/** Sends `signal` and reports the exit code and how long the process took to exit. */
export async function stopAndTime(service: Launched, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  service.process.kill(signal);
  const { code } = await service.exited;
  return { code, ms: Date.now() - started };
}

/** Waits for a process that is expected to stop by itself (a refused start-up). */
export async function exitOf(service: Launched, timeoutMs = 20_000): Promise<number | null> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms:\n${service.output()}`)), timeoutMs).unref(),
  );
  return (await Promise.race([service.exited, timeout])).code;
}

export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `asistencia-${label}-`));
  folders.push(dir);
  return dir;
}

/** The `applied` list of the "migrations up to date" log line. */
export function appliedMigrations(service: Launched): unknown {
  return service.logs().find((line) => line['msg'] === 'migrations up to date')?.['applied'];
}

export async function cleanUp(): Promise<void> {
  for (const service of launched.splice(0)) {
    if (service.process.exitCode === null && service.process.signalCode === null) {
      service.process.kill('SIGKILL');
      await service.exited;
    }
  }
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

function jsonLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
