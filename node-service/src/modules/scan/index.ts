import type { FastifyRequest } from 'fastify';
import { phoneSignatureValid } from '../../shared/phone-key.js';
import type { KeyValueStore } from '../../shared/storage/key-value.js';
import type { AssertionVerifier } from '../../shared/webauthn/assertion.js';
import type { ConfirmationService } from '../attendance/index.js';
import type { LiveCodes } from '../qr-projection/index.js';
import { createScanService } from './application/scan.js';
import type { ScanCredentials, ScanReceipts, ScanSession } from './application/ports.js';
import { createAssertionCeremony } from './infrastructure/assertion-ceremony.js';
import { createScanChallengeStore } from './infrastructure/challenge-store.js';
import { createPhoneRequests } from './infrastructure/phone-requests.js';
import { createTypedCodeAttempts } from './infrastructure/typed-code-failures.js';
import { addressNetwork } from '../../shared/networks.js';
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
  requestsPerMinutePerAddress: number;
  requestsPerMinutePerPhone: number;
  typedCodeFailuresPerMinute: number;
  /** When a request arrived, on the shared clock: codes are judged at that moment. */
  now?: () => number;
}) {
  const scan = createScanService({
    liveCodes: deps.liveCodes,
    sessions: deps.sessions,
    challenges: createScanChallengeStore(deps.store),
    phoneRequests: createPhoneRequests(deps.store, deps.requestsPerMinutePerPhone),
    typedCodeAttempts: createTypedCodeAttempts(deps.store, deps.typedCodeFailuresPerMinute),
    ceremony: createAssertionCeremony(deps.assertions),
    credentials: deps.credentials,
    phoneSignatureValid,
    confirmations: deps.confirmations,
    receipts: deps.receipts,
    settings: { challengeTtlMs: deps.challengeTtlMs },
    ...(deps.now ? { now: deps.now } : {}),
  });
  // A ceiling per client network (an IPv4 address, an IPv6 /64: the unit of the typed-code budget), high
  // enough for a lecture hall behind one NAT, counted after validation so junk does not use it up; each
  // phone's own budget is counted after its signature (phone-requests.ts).
  const rateLimit = {
    max: deps.requestsPerMinutePerAddress,
    timeWindow: 60_000,
    hook: 'preHandler' as const,
    keyGenerator: (request: FastifyRequest) => `scan:${addressNetwork(request.ip ?? null)}`,
  };
  return { scan, routes: scanRoutes({ scan, rateLimit }) };
}
