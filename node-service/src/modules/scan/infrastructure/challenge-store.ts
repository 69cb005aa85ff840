import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import { keystore } from '../../../shared/keystore.js';
import type { BoundChallenge, ScanChallengeStore } from '../application/ports.js';

export function createScanChallengeStore(store: KeyValueStore): ScanChallengeStore {
  return {
    save: (challengeId, bound, ttlMs) => store.set(keystore.scanChallenge(challengeId), JSON.stringify(bound), ttlMs),
    async take(challengeId) {
      const value = await store.take(keystore.scanChallenge(challengeId));
      return value ? (JSON.parse(value) as BoundChallenge) : null;
    },
  };
}
