import WebSocket, { type RawData } from 'ws';
import { mapLimit } from '../support/stats.js';
import type { ClientMessage, ConnectRequest, FrameRecord, ParentMessage } from './protocol.js';

/**
 * The projectors, in a process of their own so their CPU is not the server's: one WebSocket per session,
 * authenticated by its first message, subscribed to its session, recording every `qr` frame. A frame's
 * arrival time is taken before anything else is done with it, and frames are only parsed at the end, so
 * that the client's own work does not show up as lateness.
 */
interface Received {
  session: number;
  arrivedAt: number;
  data: Buffer;
}

const QR_PREFIX = '{"type":"qr"';
const received: Received[] = [];
const problems: string[] = [];
const sockets: WebSocket[] = [];
let stopping = false;

const send = (message: ClientMessage) => process.send!(message);
const asBuffer = (data: RawData) => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

function project(request: ConnectRequest, sessionId: string, session: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(request.wsUrl, { perMessageDeflate: false });
    sockets.push(socket);
    let subscribed = false;
    socket.on('message', (raw) => {
      const arrivedAt = Date.now();
      const data = asBuffer(raw);
      if (data.toString('latin1', 0, QR_PREFIX.length) === QR_PREFIX) {
        received.push({ session, arrivedAt, data });
        return;
      }
      const message = JSON.parse(data.toString()) as { type: string; code?: string };
      if (message.type === 'auth.ok') socket.send(JSON.stringify({ type: 'projector.subscribe', sessionId }));
      else if (message.type === 'projector.state' && !subscribed) {
        subscribed = true;
        resolve();
      } else if (message.type === 'qr') received.push({ session, arrivedAt, data });
      else if (message.type === 'error') {
        problems.push(`session ${session}: error ${message.code}`);
        if (!subscribed) reject(new Error(`session ${session}: ${message.code}`));
      }
    });
    socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token: request.token })));
    socket.once('error', (error) => (subscribed ? problems.push(`session ${session}: ${error.message}`) : reject(error)));
    socket.once('close', (code, reason) => {
      if (!stopping) problems.push(`session ${session}: socket closed ${code} ${reason.toString()}`);
      if (!subscribed) reject(new Error(`session ${session}: closed ${code} before subscribing`));
    });
  });
}

async function connect(request: ConnectRequest): Promise<void> {
  const started = performance.now();
  const failures: string[] = [];
  const attempt = (id: string, index: number) =>
    project(request, id, index).catch((error: unknown) => void failures.push(error instanceof Error ? error.message : String(error)));
  // One projector alone first: the service connects its Valkey subscriber lazily, on the first subscription,
  // and first subscriptions made concurrently race that connection (some fail with INTERNAL_ERROR).
  const [firstId, ...rest] = request.sessionIds;
  if (firstId !== undefined) await attempt(firstId, 0);
  await mapLimit(rest, request.concurrency, (id, index) => attempt(id, index + 1));
  send({ type: 'connected', subscribed: request.sessionIds.length - failures.length, failures: failures.slice(0, 20), ms: performance.now() - started });
}

function report(): void {
  const frames = received.map(({ session, arrivedAt, data }): FrameRecord => {
    const frame = JSON.parse(data.toString()) as { round: number; slot: number; url: string; slotStartsAt: number; serverTime: number };
    return {
      session,
      round: frame.round,
      slot: frame.slot,
      token: frame.url.slice(frame.url.indexOf('#') + 1),
      slotStartsAt: frame.slotStartsAt,
      serverTime: frame.serverTime,
      arrivedAt,
    };
  });
  send({ type: 'frames', frames, problems: problems.slice(0, 50) });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'connect') void connect(message);
  else if (message.type === 'report') report();
  else process.disconnect();
});
// The benchmark went away (finished, failed or interrupted): so do the projectors.
process.on('disconnect', () => {
  stopping = true;
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
