import { fileURLToPath } from 'node:url';
import { startChildClient, type ChildClient } from '../support/child-client.js';
import type { Teardown } from '../support/teardown.js';
import type { ClientMessage, ParentMessage } from './protocol.js';

export type ProjectorClient = ChildClient<ParentMessage, ClientMessage>;

/** Starts the projector client (client.ts) as a child process; the teardown stops it. */
export function startProjectorClient(teardown: Teardown): ProjectorClient {
  return startChildClient(fileURLToPath(new URL('./client.ts', import.meta.url)), 'the projector client', teardown);
}
