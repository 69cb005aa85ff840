import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVICE_ROOT } from '../support/service.js';
import type { Teardown } from '../support/teardown.js';
import type { ClientMessage, ParentMessage } from './protocol.js';

export interface LoadClient {
  pid: number;
  /** Sends `message` and resolves with the client's next message of type `reply`. */
  ask<T extends ClientMessage['type']>(message: ParentMessage, reply: T): Promise<Extract<ClientMessage, { type: T }>>;
  stop(): Promise<void>;
}

/** Starts one load-generator process (client.ts); the teardown stops it. */
export function startLoadClient(teardown: Teardown): LoadClient {
  const child = fork(fileURLToPath(new URL('./client.ts', import.meta.url)), [], {
    cwd: SERVICE_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client: LoadClient = {
    pid: child.pid!,
    ask(message, reply) {
      return new Promise((resolve, reject) => {
        const onMessage = (answer: ClientMessage) => {
          if (answer.type !== reply) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(answer as Extract<ClientMessage, { type: typeof reply }>);
        };
        const onExit = (code: number | null) => reject(new Error(`a load client exited (${code}) before answering ${message.type}`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send(message);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  teardown.defer(`stop load client pid ${child.pid}`, () => client.stop());
  return client;
}
