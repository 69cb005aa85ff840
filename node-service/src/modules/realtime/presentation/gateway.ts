import type {} from '@fastify/websocket';
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { AppError, commonErrors, defineErrors } from '../../../shared/errors.js';
import { localeFrom } from '../../../shared/http/locale.js';
import type { TimerClock } from '../../../shared/clock.js';
import { authErrors, type Authenticator, type VerifiedToken } from '../../auth/index.js';
import type { Connection, MessageHandler } from '../application/handlers.js';
import { watchRevocations } from '../application/revocation-watch.js';
import { authMessage, CloseCode, envelope, type ServerMessage } from '../domain/protocol.js';
import { createSocketCounter, type SocketCounter } from '../domain/socket-limits.js';
import { createTokenHolders, type TokenHolders } from '../domain/token-holders.js';

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
  WS_TOO_MANY_FOR_USER: {
    kind: 'too_many',
    es: 'Tienes demasiadas conexiones abiertas ({max}). Cierra alguna pestaña y vuelve a intentarlo.',
    en: 'You have too many open connections ({max}). Close a tab and try again.',
  },
  WS_TOO_MANY_FOR_ADDRESS: {
    kind: 'too_many',
    es: 'Demasiadas conexiones desde esta red ({max}). Vuelve a intentarlo en un momento.',
    en: 'Too many connections from this network ({max}). Try again in a moment.',
  },
});

export interface GatewaySettings {
  /** WS_AUTH_TIMEOUT_MS: an unauthenticated socket is closed after this long. */
  authTimeoutMs: number;
  /** WS_MAX_PER_USER: open sockets of one user on this instance. */
  maxPerUser: number;
  /** WS_MAX_PER_ADDRESS: open sockets of one client address (Apache's forwarded one) on this instance. */
  maxPerAddress: number;
}

export interface Gateway {
  /** Closes every socket with 1012 so clients reconnect elsewhere; used on shutdown. */
  closeAll(): void;
  readonly size: number;
}

/** What every socket of this instance shares: the limits, and who to close when a `jti` is revoked. */
interface Shared {
  authenticator: Authenticator;
  handlers: Map<string, MessageHandler>;
  settings: GatewaySettings;
  /** The service clock, for the times a socket is told. */
  now: () => number;
  /** The clock tokens are judged on: a socket ends when it reads the token's `exp`. */
  tokenClock: TimerClock;
  byAddress: SocketCounter;
  byUser: SocketCounter;
  /** The sockets authenticated with each `jti` (by any token they presented), to close on revocation. */
  holders: TokenHolders<(error: AppError) => void>;
}

/**
 * The WebSocket gateway: built before the routes are registered (so the composition root holds it without
 * late binding), its `/ws` route and the revocation watch attached when `routes` is registered.
 */
export function createGateway(deps: {
  authenticator: Authenticator;
  handlers: readonly MessageHandler[];
  settings: GatewaySettings;
  report: (error: unknown, context: string) => void;
  /** The service clock (PostgreSQL's, as QR frames use): `serverTime` of `auth.ok` and `pong`. */
  now: () => number;
  /** The clock portal tokens are judged on (this host's, as the JWT verifier's), which times a socket's end. */
  tokenClock: TimerClock;
}): { gateway: Gateway; routes: FastifyPluginAsync } {
  const sockets = new Set<WebSocket>();
  const shared: Shared = {
    authenticator: deps.authenticator,
    handlers: new Map(deps.handlers.map((h) => [h.type, h])),
    settings: deps.settings,
    now: deps.now,
    tokenClock: deps.tokenClock,
    byAddress: createSocketCounter(deps.settings.maxPerAddress),
    byUser: createSocketCounter(deps.settings.maxPerUser),
    // Longer than a revocation check can take: an announcement landing during one is not missed.
    holders: createTokenHolders({ rememberMs: 60_000 }),
  };

  const routes: FastifyPluginAsync = async (app) => {
    const stopWatching = watchRevocations(
      deps.authenticator,
      (jti) => {
        for (const close of shared.holders.revoke(jti)) close(authErrors.AUTH_TOKEN_REVOKED());
      },
      deps.report,
    );
    app.addHook('onClose', stopWatching);

    app.get('/ws', { websocket: true, schema: { hide: true } }, (socket, request) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      serve(socket, request, shared);
    });
  };

  const gateway: Gateway = {
    closeAll() {
      for (const socket of sockets) socket.close(CloseCode.serviceRestart, 'reconnect');
    },
    get size() {
      return sockets.size;
    },
  };
  return { gateway, routes };
}

function serve(socket: WebSocket, request: FastifyRequest, shared: Shared): void {
  let locale = localeFrom(request.headers['accept-language']);
  const cleanups: Array<() => void | Promise<void>> = [];
  let closed = false;
  let connection: Connection | undefined;
  /** The `jti`s this socket authenticated with, and when each token expires (unix seconds). */
  const tokens = new Map<string, number>();
  let cancelExpiry = () => {};

  const send = (message: ServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const sendError = (error: AppError, inReplyTo?: string) =>
    send({ type: 'error', code: error.code, message: error.localized(locale), messages: error.translations(), ...(inReplyTo ? { inReplyTo } : {}) });

  const runCleanups = () => {
    if (closed) return;
    closed = true;
    clearTimeout(authTimer);
    cancelExpiry();
    for (const cleanup of cleanups.splice(0)) runCleanup(cleanup);
  };
  const runCleanup = (cleanup: () => void | Promise<void>) =>
    void Promise.resolve().then(cleanup).catch((err: unknown) => request.log.warn({ err }, 'ws cleanup failed'));
  /** Closes now and releases everything at once: a peer that never answers the close frame holds nothing. */
  const closeWith = (code: number, reason: string) => {
    socket.close(code, reason);
    runCleanups();
  };
  const closeFor = (error: AppError) => {
    sendError(error);
    closeWith(CloseCode.authFailed, error.code);
  };
  socket.once('close', runCleanups);
  const authTimer = setTimeout(() => closeWith(CloseCode.authTimeout, 'AUTH_TIMEOUT'), shared.settings.authTimeoutMs);

  const address = request.ip;
  if (!shared.byAddress.acquire(address)) {
    sendError(realtimeErrors.WS_TOO_MANY_FOR_ADDRESS({ max: shared.settings.maxPerAddress }));
    closeWith(CloseCode.tooMany, 'WS_TOO_MANY_FOR_ADDRESS');
    return;
  }
  cleanups.push(() => shared.byAddress.release(address));

  // Messages are handled one at a time per socket, in order.
  let queue = Promise.resolve();
  socket.on('message', (data, isBinary) => {
    queue = queue.then(() => handle(isBinary ? null : data.toString())).catch((err: unknown) => {
      request.log.error({ err }, 'ws message failed');
      sendError(commonErrors.INTERNAL_ERROR());
    });
  });

  async function handle(text: string | null): Promise<void> {
    if (closed) return;
    const parsed = parseJson(text);
    if (!connection) return authenticate(parsed);
    const head = envelope.safeParse(parsed);
    if (!head.success) return sendError(realtimeErrors.WS_MESSAGE_INVALID({ detail: 'expected { "type": … }' }));
    const { type } = head.data;
    if (type === 'auth') return reauthenticate(parsed);
    if (type === 'ping') return send({ type: 'pong', serverTime: shared.now() });
    const handler = shared.handlers.get(type);
    if (!handler) return sendError(realtimeErrors.WS_UNKNOWN_TYPE({ type }), type);
    const message = handler.schema.safeParse(parsed);
    if (!message.success) {
      const detail = message.error.issues.map((i) => `${i.path.join('.') || type}: ${i.message}`).join('; ');
      return sendError(realtimeErrors.WS_MESSAGE_INVALID({ detail }), type);
    }
    try {
      await handler.handle(connection, message.data);
    } catch (error) {
      // An outage (PostgreSQL, Valkey) fails a message, not the socket: the answer names the message, so the
      // page knows which request to send again.
      if (!(error instanceof AppError)) request.log.error({ err: error, type }, 'ws message failed');
      sendError(error instanceof AppError ? error : commonErrors.INTERNAL_ERROR(), type);
    }
  }

  /** The token's identity, `jti` and `exp`, or the AppError refusing it (which includes an `exp` already past). */
  async function verify(token: string): Promise<VerifiedToken | AppError | undefined> {
    const verified = await shared.authenticator.verify(token).catch((error: unknown) => {
      if (error instanceof AppError) return error;
      // PostgreSQL (the revocation list) unreachable: the token could not be checked, so it is not accepted.
      request.log.error({ err: error }, 'ws authentication failed');
      return undefined;
    });
    if (verified === undefined || verified instanceof AppError) return verified;
    // The verifier tolerates a little clock skew past `exp`; a socket does not outlive its token at all.
    return verified.expiresAt * 1000 <= shared.tokenClock.now() ? authErrors.AUTH_TOKEN_EXPIRED() : verified;
  }

  /**
   * Remembers the token, so its revocation closes this socket, and keeps the socket until the latest `exp`.
   * False (and the socket closed) when the token was revoked while it was being checked.
   */
  function holdUntilExpiry(verified: VerifiedToken): boolean {
    const now = shared.tokenClock.now();
    for (const [jti, expiresAt] of tokens) if (expiresAt * 1000 <= now) forgetToken(jti);
    if (!shared.holders.hold(verified.jti, closeFor)) {
      closeFor(authErrors.AUTH_TOKEN_REVOKED());
      return false;
    }
    tokens.set(verified.jti, verified.expiresAt);
    const until = Math.max(...tokens.values()) * 1000;
    cancelExpiry();
    cancelExpiry = shared.tokenClock.at(until, () => closeFor(authErrors.AUTH_TOKEN_EXPIRED()));
    return true;
  }

  function forgetToken(jti: string): void {
    tokens.delete(jti);
    shared.holders.release(jti, closeFor);
  }
  cleanups.push(() => {
    for (const jti of [...tokens.keys()]) forgetToken(jti);
  });

  async function authenticate(parsed: unknown): Promise<void> {
    const message = authMessage.safeParse(parsed);
    if (!message.success) return closeWith(CloseCode.authExpected, 'AUTH_EXPECTED');
    locale = message.data.lang ?? locale;
    const verified = await verify(message.data.token);
    if (closed) return;
    // The token could not be checked (PostgreSQL out of reach): not a refusal of the token, try again later.
    if (verified === undefined || (verified instanceof AppError && verified.kind === 'unavailable')) {
      sendError(verified ?? commonErrors.INTERNAL_ERROR(), 'auth');
      return closeWith(CloseCode.tryAgainLater, 'TRY_AGAIN_LATER');
    }
    if (verified instanceof AppError) return closeFor(verified);
    const { identity } = verified;
    if (!shared.byUser.acquire(identity.id)) {
      sendError(realtimeErrors.WS_TOO_MANY_FOR_USER({ max: shared.settings.maxPerUser }));
      return closeWith(CloseCode.tooMany, 'WS_TOO_MANY_FOR_USER');
    }
    cleanups.push(() => shared.byUser.release(identity.id));
    clearTimeout(authTimer);
    if (!holdUntilExpiry(verified)) return;
    connection = {
      id: randomUUID(),
      identity,
      locale,
      send,
      get closed() {
        return closed;
      },
      onClose: (cleanup) => (closed ? runCleanup(cleanup) : void cleanups.push(cleanup)),
    };
    send({ type: 'auth.ok', identity, expiresAt: verified.expiresAt * 1000, serverTime: shared.now() });
  }

  async function reauthenticate(parsed: unknown): Promise<void> {
    const message = authMessage.safeParse(parsed);
    if (!message.success) return sendError(realtimeErrors.WS_MESSAGE_INVALID({ detail: 'token' }), 'auth');
    const verified = await verify(message.data.token);
    if (closed) return;
    // A refused fresh token leaves the socket as it was: it still ends at its current token's `exp`.
    if (verified === undefined) return sendError(commonErrors.INTERNAL_ERROR(), 'auth');
    if (verified instanceof AppError) return sendError(verified, 'auth');
    if (verified.identity.id !== connection!.identity.id) return sendError(realtimeErrors.WS_IDENTITY_CHANGED(), 'auth');
    if (!holdUntilExpiry(verified)) return;
    connection!.identity = verified.identity;
    send({ type: 'auth.ok', identity: verified.identity, expiresAt: Math.max(...tokens.values()) * 1000, serverTime: shared.now() });
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
