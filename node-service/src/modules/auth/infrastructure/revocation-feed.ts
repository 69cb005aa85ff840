import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import { channels } from '../../../shared/keystore.js';
import type { RevocationFeed } from '../application/ports.js';

/** Revocations announced to every instance over Valkey pub/sub, so open WebSockets close wherever they are. */
export function createRevocationFeed(store: KeyValueStore): RevocationFeed {
  return {
    announce: (jti) => store.publish(channels.revocations, jti),
    watch: (listener) => store.subscribe(channels.revocations, listener),
  };
}
