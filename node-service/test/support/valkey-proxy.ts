import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on a free port of 127.0.0.1 in front of a Valkey (Redis protocol) that sees what a service
 * sends it and may make it slow:
 * - every write a client makes arrives here as one chunk (ioredis writes a pipeline, or the commands of one
 *   tick with auto-pipelining, in one write, and waits for the answers before a command that depends on
 *   them), so the chunks that carry a request's keys are that request's round trips to Valkey;
 * - `setDelay(ms)` holds every chunk that long in each direction, as a distant or overloaded Valkey does.
 * Used by tests (round trips per scan, `/ready` past VALKEY_MAX_LATENCY_MS) and by the benchmark.
 */
export interface ValkeyProxy {
  port: number;
  url: string;
  setDelay(ms: number): void;
  /** Starts recording what clients send (forgetting anything recorded before). */
  record(): void;
  /** Stops recording; what was recorded stays readable until the next `record()`. */
  pause(): void;
  /** The chunks clients sent since `record()`, as text, in arrival order. */
  sent(): string[];
  /** How many recorded chunks contain any of `markers`: the round trips that carried those keys. */
  roundTrips(...markers: string[]): number;
  /** The commands in the recorded chunks that contain any of `markers` (RESP arrays: `*<n>` each). */
  commands(...markers: string[]): number;
  close(): Promise<void>;
}

export async function startValkeyProxy(target: { host: string; port: number }, options: { delayMs?: number } = {}): Promise<ValkeyProxy> {
  let delayMs = options.delayMs ?? 0;
  let recording: string[] | null = null;
  let recorded: string[] = [];
  const sockets = new Set<Socket>();

  /** Forwards chunks `delayMs` later, in order (a later chunk never overtakes an earlier one). */
  const delayed = (to: Socket) => {
    let lastAt = 0;
    return (chunk: Buffer) => {
      if (delayMs === 0 && lastAt <= Date.now()) {
        to.write(chunk);
        return;
      }
      const at = Math.max(Date.now() + delayMs, lastAt);
      lastAt = at;
      setTimeout(() => to.destroyed || to.write(chunk), at - Date.now());
    };
  };

  const server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const drop = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    const toUpstream = delayed(upstream);
    client.on('data', (chunk: Buffer) => {
      recording?.push(chunk.toString('latin1'));
      toUpstream(chunk);
    });
    upstream.on('data', delayed(client));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const matching = (markers: string[]) => recorded.filter((chunk) => markers.some((marker) => chunk.includes(marker)));

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    setDelay: (ms) => void (delayMs = ms),
    record: () => void (recorded = recording = []),
    pause: () => void (recording = null),
    sent: () => [...recorded],
    roundTrips: (...markers) => matching(markers).length,
    commands: (...markers) => matching(markers).reduce((sum, chunk) => sum + (chunk.match(/(^|\r\n)\*\d+\r\n/g)?.length ?? 0), 0),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
