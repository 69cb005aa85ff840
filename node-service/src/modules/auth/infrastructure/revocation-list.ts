import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import { keystore, ttl } from '../../../shared/keystore.js';
import type { RevocationList } from '../application/ports.js';

/** Revoked `jti`s live in Valkey until the token would have expired anyway (plus the clock tolerance). */
export function createRevocationList(store: KeyValueStore, now: () => number = Date.now): RevocationList {
  return {
    async revoke(jti, expiresAt) {
      const remainingMs = expiresAt * 1000 - now() + ttl.revokedTokenSlackMs;
      if (remainingMs > 0) await store.set(keystore.revokedToken(jti), '1', remainingMs);
    },
    async isRevoked(jti) {
      return (await store.get(keystore.revokedToken(jti))) !== null;
    },
  };
}
