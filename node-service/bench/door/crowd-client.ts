import { openCrowd, type SocketCrowd } from '../../test/support/socket-crowd.js';
import { portalToken } from '../../test/support/tokens.js';
import { serve } from '../support/lifecycle.js';

/** The door's sockets, in a process of their own: N WebSockets through Apache, each one user, authenticated and pinging. */
let crowd: SocketCrowd | undefined;

async function open(request: { wsUrl: string; count: number; pingPeriodMs: number }) {
  const started = performance.now();
  const token = (index: number) => portalToken({ sub: `bench-door-${index}`, role: 'student', name: `Estudiante ${index}` });
  crowd = await openCrowd({ url: request.wsUrl, count: request.count, token, concurrency: 100, openTimeoutMs: 60_000 });
  crowd.startPinging(request.pingPeriodMs);
  return { open: crowd.open, ms: performance.now() - started };
}

/** What the sockets did since the last report (the first report starts the window afresh). */
async function report() {
  const figures = { open: crowd?.open ?? 0, answeredSockets: crowd?.answeredSockets ?? 0, dropped: crowd?.dropped.length ?? 0 };
  crowd?.resetPongs();
  return figures;
}

export const handlers = { open, report };
serve(handlers, () => void crowd?.close());
