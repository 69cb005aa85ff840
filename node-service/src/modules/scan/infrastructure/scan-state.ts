import { keystore } from '../../../shared/keystore.js';
import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import type { AdmissionVerdict, BoundChallenge, ScanDevice, ScanState } from '../application/ports.js';
import { confirmedTwice, SHARED_DEVICE_ALERT, twoPlaces, type Use } from '../domain/sharing.js';
import { admitByScript, admitInProcess, type AdmissionInput } from './admission.js';

/** The budgets count requests over fixed windows of a minute, from each window's first request. */
const BUDGET_WINDOW_MS = 60_000;

export interface ScanStateSettings {
  /** SCAN_CHALLENGE_TTL_SECONDS in ms: the challenge, and the nonce that bought it, live this long. */
  challengeTtlMs: number;
  /**
   * Per minute: SCAN_REQUESTS_PER_PHONE_PER_MINUTE, RATE_LIMIT_SCAN_PER_MINUTE,
   * RATE_LIMIT_SCAN_UNKNOWN_PHONE_PER_MINUTE, FALLBACK_CODE_FAILURES_PER_MINUTE and
   * FALLBACK_CODE_FAILURES_PER_ADDRESS_PER_MINUTE.
   */
  limits: AdmissionInput['limits'];
  /** SHARING_POLICY, SHARING_WINDOW_SECONDS, SHARING_SIMULTANEOUS_MS and SHARING_CONFIRMED_FROM_HOURS, in ms. */
  sharing: { policy: 'flag' | 'refuse'; windowMs: number; simultaneousMs: number; confirmedFromMs: number };
}

/** A device as JSON: its two keys as base64url. */
type StoredDevice = Omit<ScanDevice, 'publicKey' | 'phonePublicKey'> & { publicKey: string; phonePublicKey: string | null };

const toBase64url = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
const fromBase64url = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'));
const parseUse = (value: string | null): Use | null => (value === null ? null : (JSON.parse(value) as Use));

/**
 * A challenge as kept in Valkey: one character that says whether its use was seen shared ("1": its devices
 * carry the shared_device alert to the confirmation) or not ("0"), then the bound challenge as JSON. The
 * admission writes the character, since only it knows (two at once).
 */
const encodeChallenge = (bound: BoundChallenge) =>
  JSON.stringify({
    ...bound,
    devices: bound.devices.map((device) => ({
      ...device,
      publicKey: toBase64url(device.publicKey),
      phonePublicKey: device.phonePublicKey && toBase64url(device.phonePublicKey),
    })),
  });

function decodeChallenge(value: string): BoundChallenge {
  const shared = value.startsWith('1');
  const stored = JSON.parse(value.slice(1)) as Omit<BoundChallenge, 'devices'> & { devices: StoredDevice[] };
  return {
    ...stored,
    devices: stored.devices.map((device) => ({
      ...device,
      alerts: shared && !device.alerts.includes(SHARED_DEVICE_ALERT) ? [...device.alerts, SHARED_DEVICE_ALERT] : device.alerts,
      publicKey: fromBase64url(device.publicKey),
      phonePublicKey: device.phonePublicKey === null ? null : fromBase64url(device.phonePublicKey),
    })),
  };
}

/**
 * The scan's state in Valkey (keystore.ts names every key), in as few round trips as the steps allow:
 * - a challenge: `lastUse` (one GET, sent in the same write as the code's own GET), then `admit` (one
 *   script: admission.ts) or, for a request no enrolled phone signed, `unproven` (one counter);
 * - a confirmation: `take` (GETDEL), then `answered` (its commands sent together, in one write).
 * Nothing here is the truth: losing it loses live challenges and sharing alerts, never attendance.
 */
export function createScanState(store: KeyValueStore, settings: ScanStateSettings): ScanState {
  const { sharing } = settings;
  const admit = store.runScript ? (input: AdmissionInput) => admitByScript(store.runScript!, input) : (input: AdmissionInput) => admitInProcess(store, input);

  return {
    async lastUse(phoneKeyId) {
      return sharing.windowMs > 0 ? parseUse(await store.get(keystore.scanPhoneSeen(phoneKeyId))) : null;
    },

    async unproven(network) {
      const { count, ttlMs } = await store.increment(keystore.scanUnprovenRequests(network), BUDGET_WINDOW_MS);
      return count > settings.limits.unprovenPerNetwork ? Math.max(1, Math.ceil(ttlMs / 1000)) : null;
    },

    async admit(admission): Promise<AdmissionVerdict> {
      const offer = admission.stopsAt === 'offer' ? admission.offer : null;
      const use = offer?.use ?? { network: admission.network, at: 0 };
      const elsewhere = offer && sharing.windowMs > 0 ? twoPlaces(offer.previousUse, use, sharing.windowMs) : null;
      const raw = await admit({
        keys: {
          nonce: keystore.scanPhoneRequest(admission.phoneKeyId, admission.nonce),
          phoneBudget: keystore.scanPhoneRequests(admission.phoneKeyId),
          networkBudget: keystore.scanNetworkRequests(admission.network),
          unprovenBudget: keystore.scanUnprovenRequests(admission.network),
          typedPhone: keystore.scanPhoneTypedCodeFailures(admission.phoneKeyId),
          typedNetwork: keystore.scanTypedCodeFailures(admission.network),
          asking: keystore.scanPhoneAsking(admission.phoneKeyId),
          lastUse: keystore.scanPhoneSeen(admission.phoneKeyId),
          challenge: keystore.scanChallenge(offer?.challengeId ?? ''),
        },
        challengeTtlMs: settings.challengeTtlMs,
        budgetWindowMs: BUDGET_WINDOW_MS,
        limits: settings.limits,
        typed: admission.typed,
        stopsAt: admission.stopsAt,
        use: JSON.stringify(use),
        elsewhere: elsewhere !== null,
        simultaneousMs: sharing.simultaneousMs,
        sharingWindowMs: sharing.windowMs,
        refuseShared: sharing.policy === 'refuse',
        challenge: offer ? encodeChallenge(offer.bound) : '',
      });
      switch (raw.verdict) {
        case 'replayed':
          return { kind: 'replayed', waitSeconds: raw.value > 0 ? raw.value : null };
        case 'limited':
          return { kind: 'limited', waitSeconds: raw.value };
        case 'stopped':
          return { kind: 'stopped' };
        default: {
          // Two places says more than two at once: it names where the other use was.
          const evidence = elsewhere ?? (raw.asking === null ? null : { kind: 'two_at_once' as const, uses: [parseUse(raw.asking) ?? use, use] as [Use, Use] });
          if (raw.verdict === 'offered') return { kind: 'offered', evidence };
          return { kind: 'shared', evidence: evidence ?? { kind: 'two_at_once', uses: [use, use] } };
        }
      }
    },

    async take(challengeId) {
      const value = await store.take(keystore.scanChallenge(challengeId));
      return value ? decodeChallenge(value) : null;
    },

    async answered(phoneKeyId, confirmation) {
      const marker = sharing.simultaneousMs > 0 ? store.take(keystore.scanPhoneAsking(phoneKeyId)) : null;
      if (!confirmation) {
        await marker;
        return null;
      }
      // Issued in the same tick as the marker's command, so both leave in one write (auto-pipelining).
      const at = keystore.scanConfirmedFrom(confirmation.key.sessionId, confirmation.key.round, confirmation.key.studentId);
      if (confirmation.outcome === 'confirmed') {
        await Promise.all([marker, store.set(at, JSON.stringify(confirmation.use), sharing.confirmedFromMs)]);
        return null;
      }
      const [, previous] = await Promise.all([marker, store.get(at)]);
      return confirmedTwice(parseUse(previous), confirmation.use);
    },
  };
}
