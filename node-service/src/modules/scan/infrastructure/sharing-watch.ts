import { keystore } from '../../../shared/keystore.js';
import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import type { SharingWatch } from '../application/ports.js';
import { confirmedTwice, twoPlaces, type SharingEvidence, type Use } from '../domain/sharing.js';

const parse = (value: string | null): Use | null => (value === null ? null : (JSON.parse(value) as Use));

/**
 * Recent uses in Valkey: the network and time of each phone key's latest challenge request (kept
 * SHARING_WINDOW_SECONDS), a marker while a phone key is asking (from its challenge request until it is
 * answered, at most SHARING_SIMULTANEOUS_MS: a second request meanwhile is "two at once"), and where each student's confirmation of a round came from. Losing them loses
 * only an alert, never an attendance. A window of 0 turns its rule off.
 */
export function createSharingWatch(store: KeyValueStore, settings: { windowMs: number; simultaneousMs: number; confirmedFromMs: number; policy: 'flag' | 'refuse' }): SharingWatch {
  return {
    async asked(phoneKeyId, use) {
      const previous = settings.windowMs > 0 ? parse(await store.get(keystore.scanPhoneSeen(phoneKeyId))) : null;
      const elsewhere = twoPlaces(previous, use, settings.windowMs);
      const asking = keystore.scanPhoneAsking(phoneKeyId);
      const alone = settings.simultaneousMs === 0 || (await store.setIfAbsent(asking, JSON.stringify(use), settings.simultaneousMs));
      const evidence: SharingEvidence | null =
        elsewhere ?? (alone ? null : { kind: 'two_at_once', uses: [parse(await store.get(asking)) ?? use, use] });
      // A use refused for being elsewhere or at once leaves no trace: the first place and the first request go
      // on, the second does not.
      const refused = evidence !== null && settings.policy === 'refuse';
      if (refused && alone && settings.simultaneousMs > 0) await store.take(asking);
      if (settings.windowMs > 0 && !refused) await store.set(keystore.scanPhoneSeen(phoneKeyId), JSON.stringify(use), settings.windowMs);
      return evidence;
    },

    async answered(phoneKeyId) {
      if (settings.simultaneousMs > 0) await store.take(keystore.scanPhoneAsking(phoneKeyId));
    },

    async confirmed(key, use, outcome) {
      const at = keystore.scanConfirmedFrom(key.sessionId, key.round, key.studentId);
      if (outcome === 'confirmed') {
        await store.set(at, JSON.stringify(use), settings.confirmedFromMs);
        return null;
      }
      return confirmedTwice(parse(await store.get(at)), use);
    },
  };
}
