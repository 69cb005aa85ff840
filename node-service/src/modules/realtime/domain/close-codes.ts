/**
 * The close codes of `/asistencia/ws`, in a file that imports nothing: the pages import it too
 * (web/src/lib/ws.ts), so the server and the pages cannot disagree on a number.
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
