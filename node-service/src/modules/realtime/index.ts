export type { Connection, MessageHandler } from './application/handlers.js';
export { defineHandler } from './application/handlers.js';
export type { ServerMessage } from './domain/protocol.js';
export { createGateway, type Gateway } from './presentation/gateway.js';
