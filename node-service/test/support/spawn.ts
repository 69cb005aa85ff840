import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Node running `args` in `cwd` with only `env` (and PATH, HOME): the service as its own process, for the
 * tests and the benchmark. What it prints is kept (the last `keepChars` characters of it).
 */
export function spawnNode(args: string[], cwd: string, env: Record<string, string>, keepChars = Infinity) {
  const fullEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env };
  const child = spawn(process.execPath, args, { cwd, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-keepChars)));
  }
  return { child, output: () => output, exited: new Promise<number | null>((resolve) => child.once('exit', resolve)) };
}

/** Polls until `url` answers 200, or throws with what the process printed; gives up once `alive` says it has exited. */
export async function waitForReady(url: string, timeoutMs: number, describe = () => '', alive = () => true): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs && alive()) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready ${alive() ? `within ${timeoutMs} ms` : '(its process exited)'}\n${describe()}`);
}

/** Asks `child` to end (`ask`), SIGKILL after `graceMs`; resolves once it has exited (at once if it already has). */
export async function stopProcess(child: ChildProcess, ask: () => void, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  ask();
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
