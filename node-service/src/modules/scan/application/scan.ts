import { randomBytes } from 'node:crypto';
import { confirmationErrors, type ConfirmationResult, type ConfirmationService } from '../../attendance/index.js';
import type { LiveCodes } from '../../qr-projection/index.js';
import { scanErrors } from '../domain/errors.js';
import { counterRegressed } from '../domain/sign-counter.js';
import { networkAllows } from './network-policy.js';
import type { AssertionCeremony, ScanChallengeStore, ScanCredentials, ScanSession } from './ports.js';

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
  ceremony: AssertionCeremony;
  credentials: ScanCredentials;
  confirmations: Pick<ConfirmationService, 'record'>;
  settings: ScanSettings;
}) {
  const rotationOf = async (sessionId: string) => {
    const session = await deps.sessions.find(sessionId);
    return session ? { periodMs: session.rotationPeriodMs, graceMs: session.graceMs } : null;
  };

  const openSession = async (sessionId: string, round: number, clientAddress: string | null): Promise<ScanSession> => {
    const session = await deps.sessions.find(sessionId);
    if (!session || session.state === 'closed') throw confirmationErrors.SCAN_SESSION_CLOSED();
    if (session.state !== 'open' || session.currentRound !== round) throw confirmationErrors.SCAN_ROUND_NOT_OPEN();
    if (!networkAllows(session.allowedNetworks, clientAddress)) throw scanErrors.SCAN_NETWORK_REFUSED();
    return session;
  };

  return {
    async challenge(input: { token?: string; code?: string; clientAddress: string | null }): Promise<ChallengeOffer> {
      const token = input.token ?? (input.code ? await deps.liveCodes.resolveFallback(input.code) : null);
      if (!token) throw scanErrors.SCAN_FALLBACK_UNKNOWN();
      const claim = await deps.liveCodes.resolve(token, rotationOf);
      if (!claim) throw input.token ? scanErrors.SCAN_CODE_EXPIRED() : scanErrors.SCAN_FALLBACK_UNKNOWN();
      const session = await openSession(claim.sessionId, claim.round, input.clientAddress);
      const { options, challenge } = await deps.ceremony.options(deps.settings.challengeTtlMs);
      const challengeId = randomBytes(16).toString('base64url');
      await deps.challenges.save(challengeId, { challenge, ...claim }, deps.settings.challengeTtlMs);
      return {
        challengeId,
        options,
        expiresInSeconds: Math.floor(deps.settings.challengeTtlMs / 1000),
        session: { courseName: session.courseName, room: session.room, round: claim.round },
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
      if (counterRegressed(credential.signCount, verified.newCounter)) {
        await deps.credentials.flag(credential.deviceId, 'sign counter went backwards', {
          stored: credential.signCount,
          received: verified.newCounter,
        });
        throw scanErrors.SCAN_COUNTER_REGRESSED();
      }
      if (verified.userHandle && deps.credentials.studentIdFromUserHandle(verified.userHandle) !== credential.studentId) {
        throw scanErrors.SCAN_ASSERTION_INVALID();
      }
      await openSession(bound.sessionId, bound.round, input.clientAddress);
      await deps.credentials.recordUse(credential.deviceId, { signCount: verified.newCounter, backedUp: verified.backedUp });
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
