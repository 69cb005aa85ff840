import { z } from 'zod';

/**
 * The WebSocket protocol of `/asistencia/ws`. The first message authenticates (never a token in the URL:
 * proxies log URLs); every later message is `{ type, ... }` and is validated before it is handled.
 */
export { CloseCode } from './close-codes.js';

/** `lang` is the page's chosen language, for error messages on this socket (else Accept-Language). */
export const authMessage = z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096), lang: z.enum(['es', 'en']).optional() });

export const envelope = z.object({ type: z.string().min(1).max(64) }).passthrough();

export interface ServerMessage {
  type: string;
  [field: string]: unknown;
}
