import type { FastifyInstance } from 'fastify';
import { requestDeadline } from '../request-deadline.js';

/**
 * Every HTTP request carries its arrival time and deadline (REQUEST_DEADLINE_MS) to the storage adapters,
 * which refuse to wait past it (shared/request-deadline.ts). WebSocket upgrades are left out: a socket
 * lives for hours, and its messages are not requests with a deadline.
 */
export function installRequestDeadline(app: FastifyInstance, options: { deadlineMs: number; now: () => number }): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers.upgrade?.toLowerCase() === 'websocket') return done();
    let end = () => undefined as void;
    reply.raw.once('close', () => end());
    ({ end } = requestDeadline.run(options.now(), options.deadlineMs, () => done()));
  });
}
