import { z } from 'zod';

/**
 * The WebSocket protocol of `/asistencia/ws`. The first message authenticates (never a token in the URL:
 * proxies log URLs); every later message is `{ type, ... }` and is validated before it is handled.
 */
export const CloseCode = {
  /** The server is shutting down or restarting: reconnect (to any instance). */
  serviceRestart: 1012,
  /** The token could not be checked now (PostgreSQL unreachable): reconnect after a back-off. */
  tryAgainLater: 1013,
  /** The first message was not `{ "type": "auth", "token": … }`. */
  authExpected: 4400,
  /**
   * The token was refused, or ended: the close reason is the error code. AUTH_TOKEN_EXPIRED when the token
   * reached its `exp` with no fresher one sent (`auth` again), AUTH_TOKEN_REVOKED when it was revoked.
   */
  authFailed: 4401,
  /** No auth message arrived within WS_AUTH_TIMEOUT_MS. */
  authTimeout: 4408,
  /** Too many open sockets for this user (WS_MAX_PER_USER) or client address (WS_MAX_PER_ADDRESS). */
  tooMany: 4429,
} as const;

/** `lang` is the page's chosen language, for error messages on this socket (else Accept-Language). */
export const authMessage = z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096), lang: z.enum(['es', 'en']).optional() });

export const envelope = z.object({ type: z.string().min(1).max(64) }).passthrough();

export interface ServerMessage {
  type: string;
  [field: string]: unknown;
}
