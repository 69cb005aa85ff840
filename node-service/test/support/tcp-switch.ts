import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './apache.js';

/**
 * A TCP forwarder on a free port of 127.0.0.1 that a test can cut, like a server going away: `cut()` drops
 * every open connection and stops listening (new connections are refused, as by a stopped server) until
 * `restore()` listens again on the same port. Used to take this machine's shared PostgreSQL or Valkey away
 * from one service without stopping it for everyone else. `hold()` drops every open connection too, but
 * accepts new ones and holds them, unanswered, until `restore()` forwards them: an outage as long as the
 * test needs that a client's reconnection attempts cannot see end (each refused attempt would count
 * against a client's retries, so an outage of "a moment" would depend on how fast the machine is).
 */
export interface TcpSwitch {
  port: number;
  cut(): Promise<void>;
  hold(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpSwitch(target: { host: string; port: number }): Promise<TcpSwitch> {
  const pairs = new Set<[Socket, Socket]>();
  let held: Socket[] | undefined;
  const accept = (client: Socket) => {
    if (!held) return forward(client);
    client.pause();
    client.on('error', () => client.destroy());
    held.push(client);
  };
  const dropOpen = () => {
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
  };
  const forward = (client: Socket) => {
    const upstream = createConnection(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer(accept);
      server.once('error', reject).listen(port, '127.0.0.1', () => resolve(server));
    });
  // A port below the ephemeral range (freePort): while cut, an outgoing connection could take an ephemeral one.
  const port = await freePort();
  let server: Server | undefined = await listen(port);
  const cut = async () => {
    const closing = server;
    server = undefined;
    const closed = closing ? new Promise<void>((resolve) => closing.close(() => resolve())) : Promise.resolve();
    for (const client of held?.splice(0) ?? []) client.destroy();
    held = undefined;
    dropOpen();
    await closed;
  };
  return {
    port,
    cut,
    hold() {
      held ??= [];
      dropOpen();
    },
    async restore() {
      server ??= await listen(port);
      const waiting = held ?? [];
      held = undefined;
      // pipe() in forward() resumes each one, with what it sent while held.
      for (const client of waiting) if (!client.destroyed) forward(client);
    },
    close: cut,
  };
}
