import { phoneSignatureValid } from '../../shared/phone-key.js';
import type { KeyValueStore } from '../../shared/storage/key-value.js';
import type { AssertionVerifier } from '../../shared/webauthn/assertion.js';
import type { ConfirmationService } from '../attendance/index.js';
import type { LiveCodes } from '../qr-projection/index.js';
import { createScanService } from './application/scan.js';
import type { ScanCredentials, ScanReceipts, ScanSession } from './application/ports.js';
import { createAssertionCeremony } from './infrastructure/assertion-ceremony.js';
import { createScanState } from './infrastructure/scan-state.js';
import { scanRoutes } from './presentation/routes.js';

export type { ScanCredentials, ScanDevice, ScanEvidence, ScanReceipts, ScanSession } from './application/ports.js';

/** Scan and confirm: a live QR code, the phone key of the enrolled phone, and the student's own passkey. */
export function createScanModule(deps: {
  store: KeyValueStore;
  liveCodes: LiveCodes;
  sessions: { find(id: string): Promise<ScanSession | null>; recent(id: string): Promise<ScanSession | null> };
  credentials: ScanCredentials;
  confirmations: ConfirmationService;
  receipts: ScanReceipts;
  assertions: AssertionVerifier;
  challengeTtlMs: number;
  /** Challenge requests per client network per minute that enrolled phones signed (RATE_LIMIT_SCAN_PER_MINUTE). */
  requestsPerMinutePerAddress: number;
  /** The same for requests no enrolled phone signed (RATE_LIMIT_SCAN_UNKNOWN_PHONE_PER_MINUTE). */
  unknownPhoneRequestsPerMinutePerAddress: number;
  requestsPerMinutePerPhone: number;
  /** Wrong typed codes per phone per minute, and per client network as a ceiling. */
  typedCodeFailuresPerMinute: number;
  typedCodeFailuresPerMinutePerAddress: number;
  /** SHARING_POLICY, SHARING_WINDOW_SECONDS and SHARING_SIMULTANEOUS_MS, in milliseconds. */
  sharing: { policy: 'flag' | 'refuse'; windowMs: number; simultaneousMs: number; confirmedFromMs: number };
  /** CAMPUS_NETWORKS: every session's networks unless it lists its own. */
  campusNetworks: readonly string[];
  /** When a request arrived, on the shared clock: codes are judged at that moment. */
  now?: () => number;
}) {
  const scan = createScanService({
    liveCodes: deps.liveCodes,
    sessions: deps.sessions,
    state: createScanState(deps.store, {
      challengeTtlMs: deps.challengeTtlMs,
      limits: {
        perPhone: deps.requestsPerMinutePerPhone,
        perNetwork: deps.requestsPerMinutePerAddress,
        unprovenPerNetwork: deps.unknownPhoneRequestsPerMinutePerAddress,
        typedPerPhone: deps.typedCodeFailuresPerMinute,
        typedPerNetwork: deps.typedCodeFailuresPerMinutePerAddress,
      },
      sharing: deps.sharing,
    }),
    ceremony: createAssertionCeremony(deps.assertions),
    credentials: deps.credentials,
    phoneSignatureValid,
    confirmations: deps.confirmations,
    receipts: deps.receipts,
    settings: { challengeTtlMs: deps.challengeTtlMs, sharingPolicy: deps.sharing.policy, campusNetworks: deps.campusNetworks },
    ...(deps.now ? { now: deps.now } : {}),
  });
  // The budgets per client network are spent inside the challenge, once the phone key is known to be
  // enrolled or not (scan-state.ts): junk that fails validation spends nothing, and a confirmation
  // spends the single-use challenge it answers.
  return { scan, routes: scanRoutes({ scan }) };
}
