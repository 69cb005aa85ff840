// The pages' connection to the service's authenticated WebSocket (`/asistencia/ws`). It authenticates with
// its first message (never a token in the URL: proxies log URLs), reconnects with exponential back-off and
// jitter, detects a dead connection with a ping/pong heartbeat, and after every (re)connection sends again
// the messages the page asked to keep (its subscriptions). The service ends a socket at its token's `exp`
// (close 4401 AUTH_TOKEN_EXPIRED), so before then this sends `auth` again with a fresh token.
import type { ApiClient, Identity } from './api';
import { basePath } from './api';
import { CloseCode } from '../../../src/modules/realtime/domain/close-codes';

/** What every message from the server looks like; pages narrow it to the messages they handle. */
export interface ServerMessage {
  readonly type: string;
}

interface ClientMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * `{ type: 'error' }`: a refusal, with the service's stable code, its message (and the message in every
 * language, to follow a change of language) and the message it answers.
 */
export interface ErrorMessage extends ServerMessage {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  readonly messages?: Readonly<Partial<Record<'es' | 'en', string>>>;
  readonly inReplyTo?: string;
}

/**
 * - `connecting`: the first connection is being made;
 * - `online`: authenticated, subscriptions sent;
 * - `reconnecting`: the connection dropped (or looked dead) and another attempt is due;
 * - `refused`: the service refused our token even after a fresh one: nothing more will happen;
 * - `closed`: the page closed the connection.
 */
export type LiveStatus = 'connecting' | 'online' | 'reconnecting' | 'refused' | 'closed';

export interface LiveSocketTiming {
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly pingEveryMs: number;
  /** No pong within this long after a ping: the connection is dead. */
  readonly pongTimeoutMs: number;
  /** From opening the socket to `auth.ok`. */
  readonly connectTimeoutMs: number;
  /** A fresh token is sent this long before the current one ends (at most a third of its remaining life). */
  readonly renewBeforeExpiryMs: number;
  /** After a failed renewal (no token, refused), the next try. */
  readonly renewRetryMs: number;
}

const defaultTiming: LiveSocketTiming = {
  minBackoffMs: 500,
  maxBackoffMs: 10_000,
  pingEveryMs: 10_000,
  pongTimeoutMs: 5_000,
  connectTimeoutMs: 10_000,
  renewBeforeExpiryMs: 60_000,
  renewRetryMs: 5_000,
};

export interface LiveSocketOptions<M extends ServerMessage> {
  readonly api: Pick<ApiClient, 'getToken' | 'forgetToken'>;
  onMessage(message: M | ErrorMessage): void;
  onStatus?(status: LiveStatus, detail?: { readonly identity?: Identity; readonly error?: ErrorMessage }): void;
  readonly timing?: Partial<LiveSocketTiming>;
  /** Defaults to `/asistencia/ws` on this origin, `wss:` when the page came over https. */
  readonly url?: string;
}

export interface LiveSocket {
  readonly status: LiveStatus;
  /** Sends now if online; a message that must survive reconnections goes through `keep` instead. */
  send(message: ClientMessage): boolean;
  /** Sends the message now (if online) and again after every reconnection, e.g. a subscription. */
  keep(message: ClientMessage): void;
  close(): void;
}

// 4401 (authFailed) also ends a socket whose token expired or was revoked (the reason says which); 4429
// (tooMany) is retried like any other close.
const { authFailed: closeAuthFailed, serviceRestart: closeServiceRestart } = CloseCode;

/** `auth.ok`: who the service took us for, and until when (its clock) this authentication holds. */
interface AuthOk {
  readonly identity: Identity;
  readonly expiresAt?: number;
  readonly serverTime?: number;
}

/** When to send a fresh token: before the current one ends, by a margin of at most a third of what is left. */
export function renewalDelay(authOk: Pick<AuthOk, 'expiresAt' | 'serverTime'>, renewBeforeExpiryMs: number): number | undefined {
  if (authOk.expiresAt === undefined || authOk.serverTime === undefined) return undefined;
  const remaining = authOk.expiresAt - authOk.serverTime;
  return Math.max(0, remaining - Math.min(renewBeforeExpiryMs, remaining / 3));
}

function liveSocketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${basePath}ws`;
}

/** The wait before reconnection attempt `attempt` (0-based): exponential, with "equal jitter". */
export function backoffDelay(attempt: number, timing: Pick<LiveSocketTiming, 'minBackoffMs' | 'maxBackoffMs'>, random = Math.random): number {
  const ceiling = Math.min(timing.maxBackoffMs, timing.minBackoffMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function connectLive<M extends ServerMessage>(options: LiveSocketOptions<M>): LiveSocket {
  const timing = { ...defaultTiming, ...options.timing };
  const url = options.url ?? liveSocketUrl();
  const kept: ClientMessage[] = [];
  let status: LiveStatus = 'connecting';
  let socket: WebSocket | undefined;
  let authenticated = false;
  let attempt = 0;
  let refusedOnce = false; // a 4401 was answered with a fresh token already
  let lastError: ErrorMessage | undefined;
  let currentToken: string | undefined;
  let retryTimer: number | undefined;
  let pingTimer: number | undefined;
  let pongTimer: number | undefined;
  let connectTimer: number | undefined;
  let renewTimer: number | undefined;

  const setStatus = (next: LiveStatus, detail?: { identity?: Identity; error?: ErrorMessage }): void => {
    if (next === status && next !== 'online') return;
    status = next;
    options.onStatus?.(next, detail);
  };

  const stopTimers = (): void => {
    window.clearInterval(pingTimer);
    window.clearTimeout(pongTimer);
    window.clearTimeout(connectTimer);
    window.clearTimeout(renewTimer);
    pingTimer = pongTimer = connectTimer = renewTimer = undefined;
  };

  const sendNow = (message: ClientMessage): boolean => {
    if (!socket || socket.readyState !== WebSocket.OPEN || !authenticated) return false;
    socket.send(JSON.stringify(message));
    return true;
  };

  /** Forgets the current socket without waiting for its close handshake (a dead link may never finish it). */
  const drop = (): void => {
    stopTimers();
    authenticated = false;
    if (!socket) return;
    const old = socket;
    socket = undefined;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    if (old.readyState === WebSocket.OPEN || old.readyState === WebSocket.CONNECTING) old.close();
  };

  const stopped = (): boolean => status === 'closed' || status === 'refused';

  const scheduleReconnect = (delayMs = backoffDelay(attempt, timing)): void => {
    if (stopped()) return;
    attempt += 1;
    setStatus('reconnecting');
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(() => void connect(), delayMs);
  };

  /**
   * Sends a fresh token before the service ends this socket at the current token's `exp`. The cached token
   * is the current one, so it is forgotten first and a new one fetched; no token (signed out) or a refusal
   * is tried again shortly, and if it never works the socket ends at `exp` and reconnecting sorts it out.
   */
  const planRenewal = (authOk: AuthOk): void => {
    window.clearTimeout(renewTimer);
    const delay = renewalDelay(authOk, timing.renewBeforeExpiryMs);
    if (delay === undefined) return;
    renewTimer = window.setTimeout(() => void renewAuth(), delay);
  };

  const renewAuth = async (): Promise<void> => {
    options.api.forgetToken();
    const token = await options.api.getToken({ redirect: false }).catch(() => null);
    if (token && token !== currentToken && sendNow({ type: 'auth', token })) {
      currentToken = token;
      return; // the answer (auth.ok) plans the next renewal
    }
    if (authenticated) renewTimer = window.setTimeout(() => void renewAuth(), timing.renewRetryMs);
  };

  const startHeartbeat = (): void => {
    pingTimer = window.setInterval(() => {
      if (!sendNow({ type: 'ping' })) return;
      window.clearTimeout(pongTimer);
      pongTimer = window.setTimeout(() => {
        drop();
        scheduleReconnect(0);
      }, timing.pongTimeoutMs);
    }, timing.pingEveryMs);
  };

  const onAuthenticated = (authOk: AuthOk): void => {
    window.clearTimeout(connectTimer);
    authenticated = true;
    attempt = 0;
    refusedOnce = false;
    setStatus('online', { identity: authOk.identity });
    for (const message of kept) sendNow(message);
    startHeartbeat();
    planRenewal(authOk);
  };

  const onMessage = (event: MessageEvent): void => {
    const message = parse(event.data);
    if (!message) return;
    if (message.type === 'auth.ok') {
      if (!authenticated) onAuthenticated(message as unknown as AuthOk);
      else planRenewal(message as unknown as AuthOk);
      return;
    }
    // A fresh token refused: keep the current authentication, and try another token shortly.
    if (message.type === 'error' && authenticated && (message as { inReplyTo?: unknown }).inReplyTo === 'auth') {
      window.clearTimeout(renewTimer);
      renewTimer = window.setTimeout(() => void renewAuth(), timing.renewRetryMs);
      return;
    }
    if (message.type === 'pong') window.clearTimeout(pongTimer);
    if (message.type === 'error' && !authenticated) lastError = message as unknown as ErrorMessage;
    options.onMessage(message as unknown as M | ErrorMessage);
  };

  const onClose = async (event: CloseEvent): Promise<void> => {
    drop();
    if (status === 'closed') return;
    if (event.code !== closeAuthFailed) {
      scheduleReconnect(event.code === closeServiceRestart ? backoffDelay(0, timing) : undefined);
      return;
    }
    // The token was refused (expired early, revoked): one fresh token, then give up.
    options.api.forgetToken();
    if (!refusedOnce) {
      refusedOnce = true;
      setStatus('reconnecting');
      void connect();
      return;
    }
    // Signed out: getToken() sends the browser to the login page. Still signed in yet refused: stop here.
    await options.api.getToken().catch(() => undefined);
    setStatus('refused', lastError ? { error: lastError } : undefined);
  };

  async function connect(): Promise<void> {
    if (stopped()) return;
    let token: string;
    try {
      token = await options.api.getToken();
    } catch {
      scheduleReconnect(); // the token endpoint is unreachable: try again later
      return;
    }
    if (stopped()) return; // closed while the token was on its way
    drop();
    lastError = undefined;
    const next = new WebSocket(url);
    socket = next;
    currentToken = token;
    next.onopen = () => next.send(JSON.stringify({ type: 'auth', token }));
    next.onmessage = onMessage;
    next.onclose = (event) => void onClose(event);
    connectTimer = window.setTimeout(() => {
      drop();
      scheduleReconnect();
    }, timing.connectTimeoutMs);
  }

  // Coming back online is a good moment to try at once rather than after the remaining back-off.
  const onOnline = (): void => {
    if (status !== 'reconnecting' || socket) return;
    window.clearTimeout(retryTimer);
    void connect();
  };
  window.addEventListener('online', onOnline);

  void connect();

  return {
    get status() {
      return status;
    },
    send: sendNow,
    keep(message) {
      kept.push(message);
      sendNow(message);
    },
    close() {
      window.removeEventListener('online', onOnline);
      window.clearTimeout(retryTimer);
      setStatus('closed');
      drop();
    },
  };
}

function parse(data: unknown): (ServerMessage & Record<string, unknown>) | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string') {
      return value as ServerMessage & Record<string, unknown>;
    }
  } catch {
    // not JSON: ignore, as the server never sends such a thing
  }
  return undefined;
}
