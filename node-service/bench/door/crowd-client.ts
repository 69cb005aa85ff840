import { openCrowd, type SocketCrowd } from '../../test/support/socket-crowd.js';
import { portalToken } from '../support/portal.js';
import type { ClientMessage, OpenRequest, ParentMessage } from './protocol.js';

/**
 * The sockets of the door benchmark, in a process of their own so that their CPU is neither the
 * measurer's nor the server's: N WebSockets through Apache, each one user, authenticated and pinging.
 */
let crowd: SocketCrowd | undefined;
const send = (message: ClientMessage) => process.send!(message);

async function open(request: OpenRequest): Promise<void> {
  const started = performance.now();
  try {
    crowd = await openCrowd({
      url: request.wsUrl,
      count: request.count,
      token: (index) => portalToken(request.jwtSecret, { sub: `bench-door-${index}`, role: 'student', name: `Estudiante ${index}` }),
      concurrency: 100,
      openTimeoutMs: 60_000,
    });
    crowd.startPinging(request.pingPeriodMs);
    send({ type: 'opened', open: crowd.open, ms: performance.now() - started });
  } catch (error) {
    send({ type: 'opened', open: 0, ms: performance.now() - started, error: error instanceof Error ? error.message : String(error) });
  }
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'open') void open(message);
  else if (message.type === 'report') {
    send({ type: 'report', open: crowd?.open ?? 0, answeredSockets: crowd?.answeredSockets ?? 0, pongs: crowd?.pongs ?? 0, dropped: crowd?.dropped.length ?? 0 });
    crowd?.resetPongs();
  } else if (message.type === 'stop') void (crowd?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
