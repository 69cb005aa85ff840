import { z } from 'zod';
import { defineHandler, type MessageHandler } from '../../realtime/index.js';
import type { ProjectorHub } from '../application/projector-hub.js';

const sessionId = z.uuid({ error: 'expected a session id' });

/** Projector messages on the authenticated `/asistencia/ws`. */
export function projectorHandlers(hub: ProjectorHub): MessageHandler[] {
  return [
    defineHandler({
      type: 'projector.draws',
      schema: z.object({ type: z.literal('projector.draws') }).strict(),
      handle: (connection) => hub.draws(connection),
    }),
    defineHandler({
      type: 'projector.subscribe',
      schema: z.object({ type: z.literal('projector.subscribe'), sessionId }).strict(),
      handle: (connection, message) => hub.subscribe(connection, message.sessionId),
    }),
    defineHandler({
      type: 'projector.unsubscribe',
      schema: z.object({ type: z.literal('projector.unsubscribe'), sessionId }).strict(),
      handle: (connection, message) => hub.unsubscribe(connection, message.sessionId),
    }),
  ];
}
