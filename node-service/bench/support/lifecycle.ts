import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '../../test/support/spawn.js';
import { SERVICE_ROOT } from './service.js';

/**
 * What a benchmark started (processes, databases, Valkey keys), undone last-in first-out after a
 * normal run, a failure or Ctrl-C. A scope is a teardown nested in its parent: running the root also runs
 * every scope still open.
 */
export interface Teardown {
  defer(label: string, step: () => unknown): void;
  /** Runs `work` with a scope of its own, undone when the work ends. */
  scoped<T>(work: (scope: Teardown) => Promise<T>): Promise<T>;
  run(): Promise<void>;
}

export function createTeardown(): Teardown {
  const steps: Array<{ label: string; step: () => unknown }> = [];
  return {
    defer: (label, step) => void steps.push({ label, step }),
    async scoped(work) {
      const scope = createTeardown();
      const entry = { label: 'scope', step: () => scope.run() };
      steps.push(entry);
      try {
        return await work(scope);
      } finally {
        await scope.run();
        if (steps.includes(entry)) steps.splice(steps.indexOf(entry), 1);
      }
    },
    async run() {
      for (let next = steps.pop(); next; next = steps.pop()) {
        try {
          await next.step();
        } catch (error) {
          console.warn(`teardown: ${next.label} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
  };
}

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

/** Starts `script` (TypeScript, through tsx) with an IPC channel; the teardown stops it (SIGKILL after 5 s). */
export function startChild<H extends Handlers>(script: URL, label: string, teardown: Teardown) {
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
  const handle = {
    pid: child.pid!,
    call: <K extends keyof H & string>(method: K, request: Parameters<H[K]>[0]) =>
      new Promise<Awaited<ReturnType<H[K]>>>((resolve, reject) => (pending.set(++nextId, { resolve, reject }), child.send({ id: nextId, method, request }))),
    stop: () => stopProcess(child, () => child.connected && child.disconnect(), 5000),
  };
  teardown.defer(`stop ${label} pid ${child.pid}`, () => handle.stop());
  return handle;
}
