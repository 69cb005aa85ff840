import WebSocket, { type RawData } from 'ws';
import { serve } from '../support/lifecycle.js';
import { mapLimit } from '../../test/support/map-limit.js';

/**
 * The projectors, in a process of their own: one WebSocket per session, authenticated, subscribed, recording
 * every `qr` frame. A frame's arrival time is taken first and frames are parsed only at the end, so that the
 * client's own work does not show up as lateness.
 */
const QR_PREFIX = '{"type":"qr"';
const received: Array<{ session: number; arrivedAt: number; data: Buffer }> = [];
const problems: string[] = [];
const sockets: WebSocket[] = [];
let stopping = false;
const asBuffer = (data: RawData) => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

function project(wsUrl: string, token: string, sessionId: string, session: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
    sockets.push(socket);
    let subscribed = false;
    socket.on('message', (raw) => {
      const arrivedAt = Date.now();
      const data = asBuffer(raw);
      if (data.toString('latin1', 0, QR_PREFIX.length) === QR_PREFIX) return void received.push({ session, arrivedAt, data });
      const message = JSON.parse(data.toString()) as { type: string; code?: string };
      if (message.type === 'auth.ok') {
        // As the projector page does: it draws the code from the URL, so frames carry no picture.
        socket.send(JSON.stringify({ type: 'projector.draws' }));
        socket.send(JSON.stringify({ type: 'projector.subscribe', sessionId }));
      }
      else if (message.type === 'projector.state' && !subscribed) resolve(void (subscribed = true));
      else if (message.type === 'error') {
        problems.push(`session ${session}: error ${message.code}`);
        if (!subscribed) reject(new Error(`session ${session}: ${message.code}`));
      }
    });
    socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.once('error', (error) => (subscribed ? problems.push(`session ${session}: ${error.message}`) : reject(error)));
    socket.once('close', (code, reason) => {
      if (!stopping) problems.push(`session ${session}: socket closed ${code} ${reason.toString()}`);
      if (!subscribed) reject(new Error(`session ${session}: closed ${code} before subscribing`));
    });
  });
}

async function connect(request: { wsUrl: string; token: string; sessionIds: string[]; concurrency: number }) {
  const started = performance.now();
  const failures: string[] = [];
  const attempt = (id: string, index: number) =>
    project(request.wsUrl, request.token, id, index).catch((error: unknown) => void failures.push(error instanceof Error ? error.message : String(error)));
  // One alone first: the service connects its Valkey subscriber on the first subscription, which concurrent first subscriptions would race.
  const [first, ...rest] = request.sessionIds;
  if (first !== undefined) await attempt(first, 0);
  await mapLimit(rest, request.concurrency, (id, index) => attempt(id, index + 1));
  return { subscribed: request.sessionIds.length - failures.length, failures: failures.slice(0, 20), ms: performance.now() - started };
}

async function report() {
  const frames = received.map(({ session, arrivedAt, data }) => {
    const frame = JSON.parse(data.toString()) as { slot: number; url: string; slotStartsAt: number; serverTime: number };
    return { session, slot: frame.slot, token: frame.url.slice(frame.url.indexOf('#') + 1), slotStartsAt: frame.slotStartsAt, serverTime: frame.serverTime, arrivedAt };
  });
  return { frames, problems: problems.slice(0, 50) };
}

export type FrameRecord = Awaited<ReturnType<typeof report>>['frames'][number];
export const handlers = { connect, report };
serve(handlers, () => {
  stopping = true;
  for (const socket of sockets) socket.terminate();
});
