import type { FastifyInstance } from 'fastify';
import { commonErrors } from '../errors.js';
import { sendError } from './error-handler.js';

/** How often, while draining, sockets that went idle are closed (a request in flight may finish any time). */
const IDLE_SWEEP_MS = 100;

/**
 * A shutdown that ends. `close()` waits for every socket, and a keep-alive socket whose request finished
 * after SIGTERM would otherwise stay open until the client drops it (Fastify keeps them 72 s). So once the
 * server starts closing: every answer carries `Connection: close`, idle sockets are closed as they become
 * idle, and a request arriving meanwhile on a socket already open gets the API's 503 with `Retry-After`
 * (Fastify's own 503 body is turned off: `return503OnClosing: false`). Requests in flight finish.
 */
export function installDrain(app: FastifyInstance): void {
  let draining = false;
  let sweeper: NodeJS.Timeout | undefined;

  app.addHook('preClose', async () => {
    draining = true;
    app.server.closeIdleConnections();
    sweeper = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS).unref();
  });
  app.addHook('onClose', async () => clearInterval(sweeper));
  app.addHook('onRequest', async (request, reply) => {
    if (!draining) return;
    reply.header('connection', 'close');
    return sendError(request, reply, commonErrors.SERVICE_UNAVAILABLE({ part: 'node-service (restarting)' }));
  });
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
}
