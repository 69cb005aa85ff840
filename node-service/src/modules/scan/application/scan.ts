import { randomBytes } from 'node:crypto';
import { confirmationErrors, type ConfirmationResult, type ConfirmationService } from '../../attendance/index.js';
import type { LiveCodes, TokenClaim } from '../../qr-projection/index.js';
import { AppError, commonErrors } from '../../../shared/errors.js';
import { phoneKeyMessage } from '../../../shared/phone-key.js';
import { typedCodeSigned } from '../../../shared/contract.js';
import { addressNetwork, networkAllows, sessionNetworks } from '../../../shared/networks.js';
import { scanErrors } from '../domain/errors.js';
import { SHARED_DEVICE_ALERT, type SharingEvidence } from '../domain/sharing.js';
import { counterRegressed } from '../domain/sign-counter.js';
import type { AdmissionVerdict, AssertionCeremony, BoundChallenge, PhoneSignatureCheck, RequestStop, ScanCredentials, ScanDevice, ScanReceipts, ScanSession, ScanState } from './ports.js';

export interface ScanSettings {
  challengeTtlMs: number;
  /** SHARING_POLICY: a device used in two places or at once is alerted, and under 'refuse' the second use refused. */
  sharingPolicy: 'flag' | 'refuse';
  /** CAMPUS_NETWORKS: where confirmations of a session that lists no networks of its own must come from. */
  campusNetworks: readonly string[];
}

/** The phone key's part of a challenge request: which key, a fresh nonce, and its signature over both. */
export interface PhoneProof {
  keyId: string;
  nonce: string;
  signature: Uint8Array;
}

/** A challenge request as judged: typed or not, when it arrived, from which client network. */
interface ChallengeRequest {
  typed: boolean;
  arrivedAt: number;
  network: string;
  clientAddress: string | null;
}

type Judgement =
  | { stopsAt: RequestStop; refusal: AppError }
  | { stopsAt: 'offer'; claim: TokenClaim; session: ScanSession; active: ScanDevice[] };

interface ConfirmInput {
  challengeId: string;
  credentialId: string;
  response: unknown;
  phoneSignature: Uint8Array;
  clientAddress: string | null;
}

export interface ChallengeOffer {
  challengeId: string;
  options: Record<string, unknown>;
  expiresInSeconds: number;
  session: { courseName: string; room: string; round: number };
}

/**
 * The moment the product exists for. Step one: a live QR token (or its typed fallback), signed by the
 * phone key of an enrolled phone, buys a WebAuthn challenge bound to that session, round and slot, to that
 * phone and to its client network. Step two: the same phone signs the challenge with its phone key and
 * with the student's passkey; the verified device row, never the request, says which student it is; the
 * confirmation is committed before the answer. No portal login is involved.
 */
export function createScanService(deps: {
  liveCodes: Pick<LiveCodes, 'claimOf' | 'claimOfTyped' | 'tokenLive' | 'typedLive'>;
  /** `find` reads PostgreSQL; `recent` may answer from a read SCAN_SESSION_CACHE_MS old. */
  sessions: { find(id: string): Promise<ScanSession | null>; recent(id: string): Promise<ScanSession | null> };
  /** Valkey: nonces, budgets, sharing marks and challenges, two round trips per step (scan-state.ts). */
  state: ScanState;
  ceremony: AssertionCeremony;
  credentials: ScanCredentials;
  phoneSignatureValid: PhoneSignatureCheck;
  confirmations: Pick<ConfirmationService, 'record' | 'addAlert' | 'noteAttempt'>;
  /** Keeps the signed evidence of each new confirmation (one INSERT; chained later by the sealer). */
  receipts: ScanReceipts;
  settings: ScanSettings;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  /**
   * Every dead end ends in class: a refusal once the student is known (their phone or passkey named them) in
   * a known session is noted for the teacher's roster, who may then mark them present. Budgets (429) and the
   * service's own failures are not the student's attempt; a note that cannot be written never hides the refusal.
   */
  const noteRefusal = async (error: unknown, sessionId: string | undefined, studentIds: readonly string[]): Promise<void> => {
    // A replayed request is not the student trying: whoever replays it may not be them.
    const refusal =
      error instanceof AppError && error.kind !== 'too_many' && error.kind !== 'internal' && error.kind !== 'unavailable' && error.code !== 'SCAN_PHONE_REQUEST_REPLAYED';
    if (!refusal || !sessionId) return;
    for (const studentId of new Set(studentIds)) {
      await deps.confirmations.noteAttempt({ sessionId, studentId }, error.code).catch(() => undefined);
    }
  };

  /** A request no enrolled phone signed: its refusal, or 429 once its network's own small budget is spent. */
  const unproven = async (network: string, refusal: AppError): Promise<AppError> => {
    const blockedFor = await deps.state.unproven(network);
    return blockedFor === null ? refusal : commonErrors.RATE_LIMITED({ seconds: blockedFor });
  };

  /** Why no enrolled phone signed this request (unknown phone key, bad signature), or null when one did. */
  const unsigned = (devices: ScanDevice[], proof: PhoneProof, signed: string): AppError | null => {
    const phonePublicKey = devices[0]?.phonePublicKey;
    if (!phonePublicKey) return scanErrors.SCAN_PHONE_UNKNOWN();
    const message = phoneKeyMessage('scan-challenge', signed, proof.nonce);
    return deps.phoneSignatureValid(phonePublicKey, message, proof.signature) ? null : scanErrors.SCAN_PHONE_SIGNATURE_INVALID();
  };

  /** A verdict of the admission that refuses the request, as the student meets it; `stopped`: where it stopped. */
  const refused = (verdict: Exclude<AdmissionVerdict, { kind: 'offered' | 'shared' }>, stopped: AppError): AppError => {
    if (verdict.kind === 'replayed') return verdict.waitSeconds === null ? scanErrors.SCAN_PHONE_REQUEST_REPLAYED() : commonErrors.RATE_LIMITED({ seconds: verdict.waitSeconds });
    return verdict.kind === 'limited' ? commonErrors.RATE_LIMITED({ seconds: verdict.waitSeconds }) : stopped;
  };

  /**
   * A device used in two places, twice at once, or confirming a student already confirmed elsewhere: the
   * alert goes on each device (with the evidence, for "devices to review") and on the student's confirmation
   * of the round; under SHARING_POLICY=refuse this use is refused, else it goes on carrying the alert (the
   * challenge kept says so: scan-state.ts).
   */
  const sharedUse = async (evidence: SharingEvidence, devices: ScanDevice[], where: { sessionId: string; round: number }): Promise<void> => {
    const details = {
      kind: evidence.kind,
      uses: evidence.uses.map((use) => ({ network: use.network, at: new Date(use.at).toISOString() })),
      sessionId: where.sessionId,
      round: where.round,
      refused: deps.settings.sharingPolicy === 'refuse',
    };
    for (const device of devices) {
      await deps.credentials.alertShared(device.deviceId, details);
      await deps.confirmations.addAlert({ ...where, studentId: device.studentId }, SHARED_DEVICE_ALERT);
    }
    if (deps.settings.sharingPolicy === 'refuse') throw scanErrors.SCAN_DEVICE_SHARED();
  };

  /**
   * A confirmation's answer checked and recorded (PostgreSQL only): the same network, a passkey of the phone
   * that asked, its phone key's signature, the passkey's assertion; then one commit.
   */
  const recordAnswer = async (bound: BoundChallenge, input: ConfirmInput) => {
    // Relayed to a phone elsewhere: the answer must come from where the request came from.
    if (addressNetwork(input.clientAddress) !== bound.network) throw scanErrors.SCAN_NETWORK_CHANGED();
    // The phone's own passkeys came with the challenge; any other is unknown or bound to another phone.
    const device = bound.devices.find((candidate) => candidate.credentialId === input.credentialId);
    if (!device) {
      const elsewhere = await deps.credentials.byCredentialId(input.credentialId);
      // A passkey that is not bound to the phone that asked (shared, synced, copied elsewhere) is refused.
      throw elsewhere ? scanErrors.SCAN_WRONG_PHONE() : scanErrors.SCAN_DEVICE_NOT_ENROLLED();
    }
    // Every device of the challenge is bound to its phone key, and so has one (the type says it may not).
    if (!device.phonePublicKey) throw scanErrors.SCAN_WRONG_PHONE();
    const message = phoneKeyMessage('scan-confirm', input.challengeId, bound.challenge);
    if (!deps.phoneSignatureValid(device.phonePublicKey, message, input.phoneSignature)) throw scanErrors.SCAN_PHONE_SIGNATURE_INVALID();

    const verified = await deps.ceremony.verify({ response: input.response, expectedChallenge: bound.challenge, device });
    const refuseClone = async (stored: number) => {
      // A code, not words: the pages say it in the reader's language (web/src/lib/flag-reason.ts).
      await deps.credentials.flag(device.deviceId, 'sign_counter_backwards', { stored, received: verified.newCounter });
      return scanErrors.SCAN_COUNTER_REGRESSED();
    };
    if (counterRegressed(device.signCount, verified.newCounter)) throw await refuseClone(device.signCount);
    if (verified.userHandle && deps.credentials.studentIdFromUserHandle(verified.userHandle) !== device.studentId) {
      throw scanErrors.SCAN_ASSERTION_INVALID();
    }
    // The session's state and round, and the counter moving forward, are checked where the confirmation is
    // recorded: one transaction under the session's lock.
    if (!networkAllows(bound.allowedNetworks, input.clientAddress)) throw scanErrors.SCAN_NETWORK_REFUSED();
    const evidence = {
      sessionId: bound.sessionId,
      round: bound.round,
      slot: bound.slot,
      studentId: device.studentId,
      deviceId: device.deviceId,
      credentialId: device.credentialId,
      devicePublicKey: device.publicKey,
      phonePublicKey: device.phonePublicKey,
      challengeId: input.challengeId,
      challenge: bound.challenge,
      assertion: input.response,
      phoneSignature: input.phoneSignature,
    };
    const result = await deps.confirmations.record({
      sessionId: bound.sessionId,
      round: bound.round,
      slot: bound.slot,
      studentId: device.studentId,
      deviceId: device.deviceId,
      clientAddress: input.clientAddress,
      alerts: device.alerts,
      deviceUse: { signCount: verified.newCounter, backedUp: verified.backedUp, phoneKeyId: bound.phoneKeyId },
      // The receipt is committed with the confirmation, or neither is.
      receipt: deps.receipts.document(evidence),
    });
    if (result.outcome === 'use_not_recorded') {
      // The device changed since the challenge read it: revoked, flagged or bound to another phone meanwhile,
      // or another use of the same passkey moved its counter first (two copies signing at once).
      const current = await deps.credentials.byCredentialId(input.credentialId);
      if (current?.state === 'active' && current.phoneKeyId !== bound.phoneKeyId) throw scanErrors.SCAN_WRONG_PHONE();
      if (current?.state === 'active') throw await refuseClone(current.signCount);
      throw current?.state === 'flagged' ? scanErrors.SCAN_DEVICE_FLAGGED() : scanErrors.SCAN_DEVICE_REVOKED();
    }
    return { result, device };
  };

  /**
   * Where a request an enrolled phone signed stops, judged on PostgreSQL and the code alone (the admission
   * then spends the budgets before telling it, in the order the refusals always had): no active device, a
   * code not live when the request arrived, a session that refuses it; else the session that offers.
   */
  const judge = async (request: ChallengeRequest, claim: TokenClaim | null, devices: ScanDevice[]): Promise<Judgement> => {
    const active = devices.filter((device) => device.state === 'active');
    if (active.length === 0) {
      return { stopsAt: 'devices', refusal: devices.some((device) => device.state === 'flagged') ? scanErrors.SCAN_DEVICE_FLAGGED() : scanErrors.SCAN_DEVICE_REVOKED() };
    }
    const codeRefused = { stopsAt: 'code', refusal: request.typed ? scanErrors.SCAN_FALLBACK_UNKNOWN() : scanErrors.SCAN_CODE_EXPIRED() } as const;
    if (!claim) return codeRefused;
    const codeLive = (session: ScanSession | null): session is ScanSession => {
      if (!session) return false;
      const rotation = { periodMs: session.rotationPeriodMs, graceMs: session.graceMs };
      return request.typed ? deps.liveCodes.typedLive(claim, rotation, request.arrivedAt) : deps.liveCodes.tokenLive(claim, rotation, request.arrivedAt);
    };
    /** Why this session refuses the claim now, or null. */
    const sessionRefusal = (session: ScanSession) => {
      if (session.state === 'closed') return confirmationErrors.SCAN_SESSION_CLOSED();
      if (session.state !== 'open' || session.currentRound !== claim.round) return confirmationErrors.SCAN_ROUND_NOT_OPEN();
      return networkAllows(sessionNetworks(session.allowedNetworks, deps.settings.campusNetworks), request.clientAddress) ? null : scanErrors.SCAN_NETWORK_REFUSED();
    };
    // The session as read a moment ago serves the whole classroom; it may be behind, so a refusal is only
    // ever judged on a fresh read (and the confirmation checks state and round again where it records).
    let session = await deps.sessions.recent(claim.sessionId);
    if (!codeLive(session) || sessionRefusal(session)) session = await deps.sessions.find(claim.sessionId);
    if (!codeLive(session)) return codeRefused;
    const refusal = sessionRefusal(session);
    return refusal ? { stopsAt: 'session', refusal } : { stopsAt: 'offer', claim, session, active };
  };

  return {
    async challenge(input: { token?: string; code?: string; phone: PhoneProof; clientAddress: string | null }): Promise<ChallengeOffer> {
      const typed = input.token === undefined;
      const request: ChallengeRequest = { typed, arrivedAt: now(), network: addressNetwork(input.clientAddress), clientAddress: input.clientAddress };
      // Valkey's first round trip, beside PostgreSQL's lookup of the phone: the code and the phone's latest
      // use, issued together (one write). Reading a typed code before its attempt is counted tells nothing:
      // its verdict waits for the admission.
      const [devices, claim, previousUse] = await Promise.all([
        deps.credentials.boundToPhone(input.phone.keyId),
        typed ? deps.liveCodes.claimOfTyped(input.code ?? '') : deps.liveCodes.claimOf(input.token!),
        deps.state.lastUse(input.phone.keyId),
      ]);
      // The second: a request no enrolled phone signed spends only its network's small budget.
      const notSigned = unsigned(devices, input.phone, typed ? typedCodeSigned(input.code ?? '') : input.token!);
      if (notSigned) throw await unproven(request.network, notSigned);
      // From here the phone's students are known: a refusal in the session they scanned is noted for the roster.
      try {
        return await admitted(input, request, devices, claim, previousUse);
      } catch (error) {
        await noteRefusal(error, claim?.sessionId, devices.map((device) => device.studentId));
        throw error;
      }
    },

    async confirm(input: ConfirmInput): Promise<ConfirmationResult> {
      // Valkey's first round trip: the challenge, taken once.
      const bound = await deps.state.take(input.challengeId);
      if (!bound) throw scanErrors.SCAN_CHALLENGE_INVALID();
      let recorded: Awaited<ReturnType<typeof recordAnswer>>;
      try {
        recorded = await recordAnswer(bound, input);
      } catch (error) {
        // Its second, on a refusal: the phone's challenge was answered. A Valkey failure here must not hide
        // the refusal; the marker it failed to remove lives SHARING_SIMULTANEOUS_MS at most.
        await deps.state.answered(bound.phoneKeyId).catch(() => undefined);
        const named = bound.devices.find((candidate) => candidate.credentialId === input.credentialId);
        await noteRefusal(error, bound.sessionId, named ? [named.studentId] : bound.devices.map((device) => device.studentId));
        throw error;
      }
      const { result, device } = recorded;
      // Its second, once the confirmation is committed: answered, and where the confirmation came from.
      const where = { sessionId: bound.sessionId, round: bound.round };
      const use = { network: bound.network, at: now() };
      const twice = await deps.state.answered(bound.phoneKeyId, { key: { ...where, studentId: device.studentId }, use, outcome: result.outcome });
      if (twice) await sharedUse(twice, [device], where);
      return result;
    },
  };

  /** The admission of a request an enrolled phone signed, and the challenge it buys. */
  async function admitted(
    input: { token?: string; code?: string; phone: PhoneProof; clientAddress: string | null },
    request: ChallengeRequest,
    devices: ScanDevice[],
    claim: TokenClaim | null,
    previousUse: Awaited<ReturnType<ScanState['lastUse']>>,
  ): Promise<ChallengeOffer> {
    const typed = request.typed;

    // Or the admission: the nonce, the budgets, a typed code's attempt, the sharing marks and the challenge.
    const judged = await judge(request, claim, devices);
    const admission = { phoneKeyId: input.phone.keyId, nonce: input.phone.nonce, network: request.network, typed };
    if (judged.stopsAt !== 'offer') {
      const verdict = await deps.state.admit({ ...admission, stopsAt: judged.stopsAt });
      throw verdict.kind === 'offered' || verdict.kind === 'shared' ? judged.refusal : refused(verdict, judged.refusal);
    }
    const { claim: live, session, active } = judged;
    const { options, challenge } = await deps.ceremony.options(deps.settings.challengeTtlMs, active);
    const challengeId = randomBytes(16).toString('base64url');
    const allowedNetworks = [...sessionNetworks(session.allowedNetworks, deps.settings.campusNetworks)];
    const bound = { challenge, ...live, allowedNetworks, phoneKeyId: input.phone.keyId, devices: active, network: request.network };
    const use = { network: request.network, at: request.arrivedAt };
    const verdict = await deps.state.admit({ ...admission, stopsAt: 'offer', offer: { challengeId, bound, use, previousUse } });
    // An offer never stops where PostgreSQL said: only a budget or a replay refuses it here.
    if (verdict.kind !== 'offered' && verdict.kind !== 'shared') throw refused(verdict, scanErrors.SCAN_CHALLENGE_INVALID());
    if (verdict.evidence) await sharedUse(verdict.evidence, active, { sessionId: live.sessionId, round: live.round });
    return {
      challengeId,
      options,
      expiresInSeconds: Math.floor(deps.settings.challengeTtlMs / 1000),
      session: { courseName: session.courseName, room: session.room, round: live.round },
    };
  }
}

export type ScanService = ReturnType<typeof createScanService>;
