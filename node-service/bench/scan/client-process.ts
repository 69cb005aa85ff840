import { fileURLToPath } from 'node:url';
import { startChildClient, type ChildClient } from '../support/child-client.js';
import type { Teardown } from '../support/teardown.js';
import type { ClientMessage, ParentMessage } from './protocol.js';

export type LoadClient = ChildClient<ParentMessage, ClientMessage>;

/** Starts one load-generator process (client.ts); the teardown stops it. */
export function startLoadClient(teardown: Teardown): LoadClient {
  return startChildClient(fileURLToPath(new URL('./client.ts', import.meta.url)), 'a load client', teardown);
}
