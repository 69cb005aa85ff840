import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import { channels } from '../../../shared/keystore.js';
import type { SessionEvent, SessionEvents } from '../application/ports.js';

/** Session events over Valkey pub/sub, so every instance (and its projectors) hears every change. */
export function createSessionEvents(store: KeyValueStore): SessionEvents {
  return {
    publish: (event) => store.publish(channels.session(event.sessionId), JSON.stringify(event)),
    subscribe: (sessionId, listener) =>
      store.subscribe(channels.session(sessionId), (message) => listener(JSON.parse(message) as SessionEvent)),
  };
}
