import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import { keystore } from '../../../shared/keystore.js';
import type { BoundChallenge, ScanChallengeStore, ScanDevice } from '../application/ports.js';

/** A device as JSON: its two keys as base64url. */
type StoredDevice = Omit<ScanDevice, 'publicKey' | 'phonePublicKey'> & { publicKey: string; phonePublicKey: string | null };
type StoredChallenge = Omit<BoundChallenge, 'devices'> & { devices: StoredDevice[] };

const toBase64url = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
const fromBase64url = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'));

export function createScanChallengeStore(store: KeyValueStore): ScanChallengeStore {
  return {
    save(challengeId, bound, ttlMs) {
      const stored: StoredChallenge = {
        ...bound,
        devices: bound.devices.map((device) => ({
          ...device,
          publicKey: toBase64url(device.publicKey),
          phonePublicKey: device.phonePublicKey && toBase64url(device.phonePublicKey),
        })),
      };
      return store.set(keystore.scanChallenge(challengeId), JSON.stringify(stored), ttlMs);
    },
    async take(challengeId) {
      const value = await store.take(keystore.scanChallenge(challengeId));
      if (!value) return null;
      const stored = JSON.parse(value) as StoredChallenge;
      return {
        ...stored,
        devices: stored.devices.map((device) => ({
          ...device,
          publicKey: fromBase64url(device.publicKey),
          phonePublicKey: device.phonePublicKey === null ? null : fromBase64url(device.phonePublicKey),
        })),
      };
    },
  };
}
