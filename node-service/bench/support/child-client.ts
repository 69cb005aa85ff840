import { fork } from 'node:child_process';
import { SERVICE_ROOT } from './service.js';
import type { Teardown } from './teardown.js';

/** A benchmark client process that answers the parent's messages (load generators, projector clients). */
export interface ChildClient<Parent extends { type: string }, Child extends { type: string }> {
  pid: number;
  /** Sends `message` and resolves with the client's next message of type `reply`. */
  ask<T extends Child['type']>(message: Parent, reply: T): Promise<Extract<Child, { type: T }>>;
  stop(): Promise<void>;
}

/**
 * Starts `script` (TypeScript, run with tsx) as a child process with an IPC channel, so its CPU is not the
 * measured server's; the teardown stops it (asking first, then SIGKILL after 5 s).
 */
export function startChildClient<Parent extends { type: string }, Child extends { type: string }>(
  script: string,
  label: string,
  teardown: Teardown,
): ChildClient<Parent, Child> {
  const child = fork(script, [], { cwd: SERVICE_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client: ChildClient<Parent, Child> = {
    pid: child.pid!,
    ask(message, reply) {
      return new Promise((resolve, reject) => {
        const onMessage = (answer: Child) => {
          if (answer.type !== reply) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(answer as Extract<Child, { type: typeof reply }>);
        };
        const onExit = (code: number | null) => reject(new Error(`${label} exited (${code}) before answering ${message.type}`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send(message);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  teardown.defer(`stop ${label} pid ${child.pid}`, () => client.stop());
  return client;
}
