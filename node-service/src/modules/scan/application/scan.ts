import { randomBytes } from 'node:crypto';
import { confirmationErrors, type ConfirmationResult, type ConfirmationService } from '../../attendance/index.js';
import type { LiveCodes, Rotation } from '../../qr-projection/index.js';
import { commonErrors } from '../../../shared/errors.js';
import { addressNetwork } from './address-network.js';
import { scanErrors } from '../domain/errors.js';
import { counterRegressed } from '../domain/sign-counter.js';
import { networkAllows } from './network-policy.js';
import type { AssertionCeremony, ScanChallengeStore, ScanCredentials, ScanSession, TypedCodeFailures } from './ports.js';

export interface ScanSettings {
  challengeTtlMs: number;
}

export interface ChallengeOffer {
  challengeId: string;
  options: unknown;
  expiresInSeconds: number;
  session: { courseName: string; room: string; round: number };
}

/**
 * The moment the product exists for. Step one: a live QR token (or its typed fallback) buys a WebAuthn
 * challenge bound to that session, round and slot. Step two: the student's own passkey signs it; the
 * verified device row, never the request, says which student it is; the confirmation is committed before
 * the answer. No portal login is involved.
 */
export function createScanService(deps: {
  liveCodes: Pick<LiveCodes, 'resolve' | 'resolveFallback'>;
  sessions: { find(id: string): Promise<ScanSession | null> };
  challenges: ScanChallengeStore;
  typedCodeFailures: TypedCodeFailures;
  ceremony: AssertionCeremony;
  credentials: ScanCredentials;
  confirmations: Pick<ConfirmationService, 'record'>;
  settings: ScanSettings;
}) {
  const assertNetwork = (allowedNetworks: readonly string[], clientAddress: string | null) => {
    if (!networkAllows(allowedNetworks, clientAddress)) throw scanErrors.SCAN_NETWORK_REFUSED();
  };

  type RotationOf = (sessionId: string) => Promise<Rotation | null>;
  /** A typed code, unless its network has missed too often lately; a miss is counted. */
  const resolveTyped = async (code: string | undefined, clientAddress: string | null, rotationOf: RotationOf) => {
    const network = addressNetwork(clientAddress);
    const blockedFor = await deps.typedCodeFailures.blockedFor(network);
    if (blockedFor !== null) throw commonErrors.RATE_LIMITED({ seconds: blockedFor });
    const claim = code ? await deps.liveCodes.resolveFallback(code, rotationOf) : null;
    if (claim) return claim;
    await deps.typedCodeFailures.add(network);
    throw scanErrors.SCAN_FALLBACK_UNKNOWN();
  };

  return {
    async challenge(input: { token?: string; code?: string; clientAddress: string | null }): Promise<ChallengeOffer> {
      // One look at the session serves both the code's rotation and its state.
      let session: ScanSession | null = null;
      const rotationOf: RotationOf = async (sessionId) => {
        session = await deps.sessions.find(sessionId);
        return session ? { periodMs: session.rotationPeriodMs, graceMs: session.graceMs } : null;
      };
      const claim = input.token ? await deps.liveCodes.resolve(input.token, rotationOf) : await resolveTyped(input.code, input.clientAddress, rotationOf);
      if (!claim) throw scanErrors.SCAN_CODE_EXPIRED();
      const open = session as ScanSession | null;
      if (!open || open.state === 'closed') throw confirmationErrors.SCAN_SESSION_CLOSED();
      if (open.state !== 'open' || open.currentRound !== claim.round) throw confirmationErrors.SCAN_ROUND_NOT_OPEN();
      assertNetwork(open.allowedNetworks, input.clientAddress);
      const { options, challenge } = await deps.ceremony.options(deps.settings.challengeTtlMs);
      const challengeId = randomBytes(16).toString('base64url');
      const bound = { challenge, ...claim, allowedNetworks: open.allowedNetworks };
      await deps.challenges.save(challengeId, bound, deps.settings.challengeTtlMs);
      return {
        challengeId,
        options,
        expiresInSeconds: Math.floor(deps.settings.challengeTtlMs / 1000),
        session: { courseName: open.courseName, room: open.room, round: claim.round },
      };
    },

    async confirm(input: { challengeId: string; credentialId: string; response: unknown; clientAddress: string | null }): Promise<ConfirmationResult> {
      const bound = await deps.challenges.take(input.challengeId);
      if (!bound) throw scanErrors.SCAN_CHALLENGE_INVALID();
      const found = await deps.credentials.lookup(input.credentialId);
      if (!found) throw scanErrors.SCAN_DEVICE_NOT_ENROLLED();
      if (found.state !== 'active') {
        throw found.state === 'revoked' ? scanErrors.SCAN_DEVICE_REVOKED() : scanErrors.SCAN_DEVICE_FLAGGED();
      }
      const { credential } = found;

      const verified = await deps.ceremony.verify({ response: input.response, expectedChallenge: bound.challenge, credential });
      const refuseClone = async (stored: number) => {
        await deps.credentials.flag(credential.deviceId, 'sign counter went backwards', { stored, received: verified.newCounter });
        return scanErrors.SCAN_COUNTER_REGRESSED();
      };
      if (counterRegressed(credential.signCount, verified.newCounter)) throw await refuseClone(credential.signCount);
      if (verified.userHandle && deps.credentials.studentIdFromUserHandle(verified.userHandle) !== credential.studentId) {
        throw scanErrors.SCAN_ASSERTION_INVALID();
      }
      // The session's state and round are checked where the confirmation is recorded, under its lock.
      assertNetwork(bound.allowedNetworks, input.clientAddress);
      if (!(await deps.credentials.recordUse(credential.deviceId, { signCount: verified.newCounter, backedUp: verified.backedUp }))) {
        // The device changed since it was looked up: revoked or flagged meanwhile, or another use of the same
        // passkey moved its counter first (two copies signing at once).
        const now = await deps.credentials.lookup(input.credentialId);
        if (now?.state === 'active') throw await refuseClone(now.credential.signCount);
        throw now?.state === 'flagged' ? scanErrors.SCAN_DEVICE_FLAGGED() : scanErrors.SCAN_DEVICE_REVOKED();
      }
      return deps.confirmations.record({
        sessionId: bound.sessionId,
        round: bound.round,
        slot: bound.slot,
        studentId: credential.studentId,
        deviceId: credential.deviceId,
        clientAddress: input.clientAddress,
      });
    },
  };
}

export type ScanService = ReturnType<typeof createScanService>;
