import type { z } from 'zod';
import type { Locale } from '../../../shared/errors.js';
import type { Identity } from '../../auth/index.js';
import type { ServerMessage } from '../domain/protocol.js';

/** What a handler knows of the connection it serves. */
export interface Connection {
  readonly id: string;
  identity: Identity;
  readonly locale: Locale;
  send(message: ServerMessage): void;
  /** True once the socket is closing or closed: a handler that awaited must start nothing more for it. */
  readonly closed: boolean;
  /** Runs when the socket closes, for whatever reason; at once if it already has. */
  onClose(cleanup: () => void | Promise<void>): void;
}

/** One message type, its schema and its handler; modules contribute these to the realtime gateway. */
export interface MessageHandler<S extends z.ZodType = z.ZodType> {
  type: string;
  schema: S;
  handle(connection: Connection, message: z.infer<S>): Promise<void> | void;
}

export function defineHandler<S extends z.ZodType>(handler: MessageHandler<S>): MessageHandler {
  return handler as unknown as MessageHandler;
}
