import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVICE_ROOT } from './service.js';
import type { Teardown } from './teardown.js';

/**
 * Load generators, projectors and sockets run in processes of their own, so that their CPU is not the
 * measured server's nor the coordinator's. The child `serve`s named handlers; the parent `call`s them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler declares its own request type
type Handlers = Record<string, (request: any) => Promise<unknown>>;
type Reply = { id: number; result?: unknown; error?: string };
const message = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

/** In the child: answers each call with its handler; exits when the parent goes (finished, failed or interrupted). */
export function serve(handlers: Handlers, onExit: () => void = () => undefined): void {
  process.on('message', ({ id, method, request }: { id: number; method: string; request: unknown }) => {
    const answer = (reply: Reply) => process.send!(reply);
    handlers[method]!(request).then((result) => answer({ id, result }), (error: unknown) => answer({ id, error: message(error) }));
  });
  process.on('disconnect', () => (onExit(), process.exit(0)));
}

/** Asks `child` to end (`ask`), SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopProcess(child: ChildProcess, ask: () => void, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  ask();
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface Child<H extends Handlers> {
  pid: number;
  call<K extends keyof H & string>(method: K, request: Parameters<H[K]>[0]): Promise<Awaited<ReturnType<H[K]>>>;
  stop(): Promise<void>;
}

/** Starts `script` (TypeScript, through tsx) with an IPC channel; the teardown stops it (SIGKILL after 5 s). */
export function startChild<H extends Handlers>(script: URL, label: string, teardown: Teardown): Child<H> {
  const child = fork(fileURLToPath(script), [], { cwd: SERVICE_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve(value: never): void; reject(error: Error): void }>();
  let nextId = 0;
  child.on('message', ({ id, result, error }: Reply) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (error === undefined) waiter?.resolve(result as never);
    else waiter?.reject(new Error(`${label}: ${error}`));
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${label} exited (${code}) before answering`));
  });
  const handle: Child<H> = {
    pid: child.pid!,
    call: (method, request) => new Promise((resolve, reject) => (pending.set(++nextId, { resolve, reject }), child.send({ id: nextId, method, request }))),
    stop: () => stopProcess(child, () => child.connected && child.disconnect(), 5000),
  };
  teardown.defer(`stop ${label} pid ${child.pid}`, () => handle.stop());
  return handle;
}
