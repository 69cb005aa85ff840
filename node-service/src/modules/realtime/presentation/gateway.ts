import type {} from '@fastify/websocket';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { AppError, commonErrors, defineErrors } from '../../../shared/errors.js';
import { localeFrom } from '../../../shared/http/locale.js';
import type { Authenticator } from '../../auth/index.js';
import type { Connection, MessageHandler } from '../application/handlers.js';
import { authMessage, CloseCode, envelope, type ServerMessage } from '../domain/protocol.js';

const realtimeErrors = defineErrors({
  WS_MESSAGE_INVALID: {
    kind: 'invalid',
    es: 'Mensaje no válido: {detail}',
    en: 'Invalid message: {detail}',
  },
  WS_UNKNOWN_TYPE: {
    kind: 'invalid',
    es: 'Tipo de mensaje desconocido: {type}',
    en: 'Unknown message type: {type}',
  },
  WS_IDENTITY_CHANGED: {
    kind: 'forbidden',
    es: 'Un nuevo token debe ser del mismo usuario.',
    en: 'A new token must belong to the same user.',
  },
});

export interface Gateway {
  /** Closes every socket with 1012 so clients reconnect elsewhere; used on shutdown. */
  closeAll(): void;
  readonly size: number;
}

export function registerGateway(
  app: FastifyInstance,
  deps: { authenticator: Authenticator; handlers: readonly MessageHandler[]; authTimeoutMs: number },
): Gateway {
  const sockets = new Set<WebSocket>();
  const handlers = new Map(deps.handlers.map((h) => [h.type, h]));

  app.get('/ws', { websocket: true, schema: { hide: true } }, (socket, request) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket, request, deps.authenticator, handlers, deps.authTimeoutMs);
  });

  return {
    closeAll() {
      for (const socket of sockets) socket.close(CloseCode.serviceRestart, 'reconnect');
    },
    get size() {
      return sockets.size;
    },
  };
}

function serve(
  socket: WebSocket,
  request: FastifyRequest,
  authenticator: Authenticator,
  handlers: Map<string, MessageHandler>,
  authTimeoutMs: number,
): void {
  let locale = localeFrom(request.headers['accept-language']);
  const cleanups: Array<() => void | Promise<void>> = [];
  let connection: Connection | undefined;
  const send = (message: ServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const sendError = (error: AppError, inReplyTo?: string) =>
    send({ type: 'error', code: error.code, message: error.localized(locale), ...(inReplyTo ? { inReplyTo } : {}) });

  const authTimer = setTimeout(() => socket.close(CloseCode.authTimeout, 'AUTH_TIMEOUT'), authTimeoutMs);
  socket.once('close', () => {
    clearTimeout(authTimer);
    for (const cleanup of cleanups) void Promise.resolve().then(cleanup).catch((err: unknown) => request.log.warn({ err }, 'ws cleanup failed'));
  });

  // Messages are handled one at a time per socket, in order.
  let queue = Promise.resolve();
  socket.on('message', (data, isBinary) => {
    queue = queue.then(() => handle(isBinary ? null : data.toString())).catch((err: unknown) => {
      request.log.error({ err }, 'ws message failed');
      sendError(commonErrors.INTERNAL_ERROR());
    });
  });

  async function handle(text: string | null): Promise<void> {
    const parsed = parseJson(text);
    if (!connection) return authenticate(parsed);
    const head = envelope.safeParse(parsed);
    if (!head.success) return sendError(realtimeErrors.WS_MESSAGE_INVALID({ detail: 'expected { "type": … }' }));
    const { type } = head.data;
    if (type === 'auth') return reauthenticate(parsed);
    if (type === 'ping') return send({ type: 'pong', serverTime: Date.now() });
    const handler = handlers.get(type);
    if (!handler) return sendError(realtimeErrors.WS_UNKNOWN_TYPE({ type }), type);
    const message = handler.schema.safeParse(parsed);
    if (!message.success) {
      const detail = message.error.issues.map((i) => `${i.path.join('.') || type}: ${i.message}`).join('; ');
      return sendError(realtimeErrors.WS_MESSAGE_INVALID({ detail }), type);
    }
    try {
      await handler.handle(connection, message.data);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      sendError(error, type);
    }
  }

  async function authenticate(parsed: unknown): Promise<void> {
    const message = authMessage.safeParse(parsed);
    if (!message.success) return socket.close(CloseCode.authExpected, 'AUTH_EXPECTED');
    locale = message.data.lang ?? locale;
    try {
      const identity = await authenticator.authenticate(message.data.token);
      clearTimeout(authTimer);
      connection = {
        id: randomUUID(),
        identity,
        locale,
        send,
        onClose: (cleanup) => void cleanups.push(cleanup),
      };
      send({ type: 'auth.ok', identity });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      sendError(error);
      socket.close(CloseCode.authFailed, error.code);
    }
  }

  async function reauthenticate(parsed: unknown): Promise<void> {
    const message = authMessage.safeParse(parsed);
    if (!message.success) return sendError(realtimeErrors.WS_MESSAGE_INVALID({ detail: 'token' }), 'auth');
    const identity = await authenticator.authenticate(message.data.token).catch((error: unknown) => {
      if (error instanceof AppError) return error;
      throw error;
    });
    if (identity instanceof AppError) return sendError(identity, 'auth');
    if (identity.id !== connection!.identity.id) return sendError(realtimeErrors.WS_IDENTITY_CHANGED(), 'auth');
    connection!.identity = identity;
    send({ type: 'auth.ok', identity });
  }
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
