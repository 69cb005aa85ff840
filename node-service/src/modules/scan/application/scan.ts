import { randomBytes } from 'node:crypto';
import { confirmationErrors, type ConfirmationResult, type ConfirmationService } from '../../attendance/index.js';
import type { LiveCodes, TokenClaim } from '../../qr-projection/index.js';
import { AppError, commonErrors } from '../../../shared/errors.js';
import { phoneKeyMessage } from '../../../shared/phone-key.js';
import { addressNetwork, networkAllows, sessionNetworks } from '../../../shared/networks.js';
import { scanErrors } from '../domain/errors.js';
import { SHARED_DEVICE_ALERT, type SharingEvidence } from '../domain/sharing.js';
import { counterRegressed } from '../domain/sign-counter.js';
import type {
  AssertionCeremony,
  PhoneSignatureCheck,
  NetworkBudgets,
  ScanChallengeStore,
  ScanCredentials,
  ScanDevice,
  PhoneRequests,
  ScanReceipts,
  ScanSession,
  SharingWatch,
  TypedCodeAttempts,
} from './ports.js';

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
  challenges: ScanChallengeStore;
  phoneRequests: PhoneRequests;
  networkBudgets: NetworkBudgets;
  typedCodeAttempts: TypedCodeAttempts;
  ceremony: AssertionCeremony;
  credentials: ScanCredentials;
  phoneSignatureValid: PhoneSignatureCheck;
  confirmations: Pick<ConfirmationService, 'record' | 'addAlert' | 'noteAttempt'>;
  sharing: SharingWatch;
  /** Keeps the signed evidence of each new confirmation (one INSERT; chained later by the sealer). */
  receipts: ScanReceipts;
  settings: ScanSettings;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  /** A typed code, unless this phone (or, past a high ceiling, its network) has missed too often lately. */
  const claimTyped = async (code: string, phoneKeyId: string, network: string): Promise<TokenClaim | null> => {
    const blockedFor = await deps.typedCodeAttempts.begin(phoneKeyId, network);
    if (blockedFor !== null) throw commonErrors.RATE_LIMITED({ seconds: blockedFor });
    return deps.liveCodes.claimOfTyped(code);
  };

  /** A request no enrolled phone signed: its refusal, or 429 once its network's own small budget is spent. */
  const unproven = async (network: string, refusal: AppError): Promise<AppError> => {
    const blockedFor = await deps.networkBudgets.unproven(network);
    return blockedFor === null ? refusal : commonErrors.RATE_LIMITED({ seconds: blockedFor });
  };

  /**
   * The enrolled devices of the phone that signed this request; refused unless one of them may scan. Only a
   * request an enrolled phone signed (and not a replay) spends its network's scan budget.
   */
  const provenPhone = async (proof: PhoneProof, signed: string, network: string): Promise<ScanDevice[]> => {
    const devices = await deps.credentials.boundToPhone(proof.keyId);
    const phonePublicKey = devices[0]?.phonePublicKey;
    if (!phonePublicKey) throw await unproven(network, scanErrors.SCAN_PHONE_UNKNOWN());
    const message = phoneKeyMessage('scan-challenge', signed, proof.nonce);
    if (!deps.phoneSignatureValid(phonePublicKey, message, proof.signature)) throw await unproven(network, scanErrors.SCAN_PHONE_SIGNATURE_INVALID());
    const admitted = await deps.phoneRequests.admit(proof.keyId, proof.nonce, deps.settings.challengeTtlMs);
    if (admitted === 'replayed') throw await unproven(network, scanErrors.SCAN_PHONE_REQUEST_REPLAYED());
    if (admitted !== 'admitted') throw commonErrors.RATE_LIMITED({ seconds: admitted });
    const networkWait = await deps.networkBudgets.proven(network);
    if (networkWait !== null) throw commonErrors.RATE_LIMITED({ seconds: networkWait });
    const active = devices.filter((device) => device.state === 'active');
    if (active.length > 0) return active;
    throw devices.some((device) => device.state === 'flagged') ? scanErrors.SCAN_DEVICE_FLAGGED() : scanErrors.SCAN_DEVICE_REVOKED();
  };

  /**
   * A device used in two places, twice at once, or confirming a student already confirmed elsewhere: the
   * alert goes on each device (with the evidence, for "devices to review") and on the student's confirmation
   * of the round; under SHARING_POLICY=refuse this use is refused, else it goes on carrying the alert.
   */
  const sharedUse = async (evidence: SharingEvidence, devices: ScanDevice[], where: { sessionId: string; round: number }): Promise<ScanDevice[]> => {
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
    return devices.map((device) => (device.alerts.includes(SHARED_DEVICE_ALERT) ? device : { ...device, alerts: [...device.alerts, SHARED_DEVICE_ALERT] }));
  };

  /**
   * Every dead end ends in class: a refusal once the student is known (their phone or passkey named them) in
   * a known session is noted for the teacher's roster, who may then mark them present. Budgets (429) and the
   * service's own failures are not the student's attempt; a note that cannot be written never hides the refusal.
   */
  const noting = async <T>(known: { sessionId?: string; studentIds: string[] }, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      const refusal = error instanceof AppError && error.kind !== 'too_many' && error.kind !== 'internal' && error.kind !== 'unavailable';
      if (refusal && known.sessionId) {
        for (const studentId of new Set(known.studentIds)) {
          await deps.confirmations.noteAttempt({ sessionId: known.sessionId, studentId }, error.code).catch(() => undefined);
        }
      }
      throw error;
    }
  };

  return {
    async challenge(input: { token?: string; code?: string; phone: PhoneProof; clientAddress: string | null }): Promise<ChallengeOffer> {
      const known: { sessionId?: string; studentIds: string[] } = { studentIds: [] };
      return noting(known, () => challenge(input, known));
    },

    async confirm(input: ConfirmInput): Promise<ConfirmationResult> {
      const known: { sessionId?: string; studentIds: string[] } = { studentIds: [] };
      return noting(known, () => confirm(input, known));
    },
  };

  async function challenge(
    input: { token?: string; code?: string; phone: PhoneProof; clientAddress: string | null },
    known: { sessionId?: string; studentIds: string[] },
  ): Promise<ChallengeOffer> {
    const arrivedAt = now();
    const network = addressNetwork(input.clientAddress);
    const typed = input.token === undefined;
    const signed = typed ? `code:${input.code ?? ''}` : input.token!;
    // A blocked or revoked key is the student's own dead end: the session they scanned is looked up for the note.
    const devices = await provenPhone(input.phone, signed, network).catch(async (error: unknown) => {
      if (error instanceof AppError && (error.code === 'SCAN_DEVICE_FLAGGED' || error.code === 'SCAN_DEVICE_REVOKED') && !typed) {
        known.sessionId = (await deps.liveCodes.claimOf(input.token!).catch(() => null))?.sessionId;
        known.studentIds = (await deps.credentials.boundToPhone(input.phone.keyId)).map((device) => device.studentId);
      }
      throw error;
    });
    known.studentIds = devices.map((device) => device.studentId);

    const claim = typed ? await claimTyped(input.code ?? '', input.phone.keyId, network) : await deps.liveCodes.claimOf(input.token!);
    if (claim) known.sessionId = claim.sessionId;
    const codeRefused = () => (typed ? scanErrors.SCAN_FALLBACK_UNKNOWN() : scanErrors.SCAN_CODE_EXPIRED());
    if (!claim) throw codeRefused();
    const codeLive = (session: ScanSession | null): session is ScanSession => {
      if (!session) return false;
      const rotation = { periodMs: session.rotationPeriodMs, graceMs: session.graceMs };
      return typed ? deps.liveCodes.typedLive(claim, rotation, arrivedAt) : deps.liveCodes.tokenLive(claim, rotation, arrivedAt);
    };
    /** Why this session refuses the claim now, or null. */
    const sessionRefusal = (session: ScanSession) => {
      if (session.state === 'closed') return confirmationErrors.SCAN_SESSION_CLOSED();
      if (session.state !== 'open' || session.currentRound !== claim.round) return confirmationErrors.SCAN_ROUND_NOT_OPEN();
      return networkAllows(sessionNetworks(session.allowedNetworks, deps.settings.campusNetworks), input.clientAddress) ? null : scanErrors.SCAN_NETWORK_REFUSED();
    };
    // The session as read a moment ago serves the whole classroom; it may be behind, so a refusal is only
    // ever judged on a fresh read (and the confirmation checks state and round again where it records).
    let session = await deps.sessions.recent(claim.sessionId);
    if (!codeLive(session) || sessionRefusal(session)) session = await deps.sessions.find(claim.sessionId);
    if (!codeLive(session)) throw codeRefused();
    if (typed) await deps.typedCodeAttempts.succeeded(input.phone.keyId, network);
    const refusal = sessionRefusal(session);
    if (refusal) throw refusal;
    const shared = await deps.sharing.asked(input.phone.keyId, { network, at: arrivedAt });
    const offered = shared ? await sharedUse(shared, devices, { sessionId: claim.sessionId, round: claim.round }) : devices;

    const { options, challenge } = await deps.ceremony.options(deps.settings.challengeTtlMs, offered);
    const challengeId = randomBytes(16).toString('base64url');
    await deps.challenges.save(
      challengeId,
      { challenge, ...claim, allowedNetworks: [...sessionNetworks(session.allowedNetworks, deps.settings.campusNetworks)], phoneKeyId: input.phone.keyId, devices: offered, network },
      deps.settings.challengeTtlMs,
    );
    return {
      challengeId,
      options,
      expiresInSeconds: Math.floor(deps.settings.challengeTtlMs / 1000),
      session: { courseName: session.courseName, room: session.room, round: claim.round },
    };
  }

  async function confirm(input: ConfirmInput, known: { sessionId?: string; studentIds: string[] }): Promise<ConfirmationResult> {
    const bound = await deps.challenges.take(input.challengeId);
    if (!bound) throw scanErrors.SCAN_CHALLENGE_INVALID();
    // The phone's students, until the passkey says which one.
    known.sessionId = bound.sessionId;
    known.studentIds = bound.devices.map((candidate) => candidate.studentId);
    await deps.sharing.answered(bound.phoneKeyId);
    // Relayed to a phone elsewhere: the answer must come from where the request came from.
    if (addressNetwork(input.clientAddress) !== bound.network) throw scanErrors.SCAN_NETWORK_CHANGED();
    // The phone's own passkeys came with the challenge; any other is unknown or bound to another phone.
    const device = bound.devices.find((candidate) => candidate.credentialId === input.credentialId);
    if (!device) {
      const elsewhere = await deps.credentials.byCredentialId(input.credentialId);
      // A passkey that is not bound to the phone that asked (shared, synced, copied elsewhere) is refused.
      throw elsewhere ? scanErrors.SCAN_WRONG_PHONE() : scanErrors.SCAN_DEVICE_NOT_ENROLLED();
    }
    known.studentIds = [device.studentId];
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
    const where = { sessionId: bound.sessionId, round: bound.round };
    const twice = await deps.sharing.confirmed({ ...where, studentId: device.studentId }, { network: bound.network, at: now() }, result.outcome);
    if (twice) await sharedUse(twice, [device], where);
    return result;
  }
}

interface ConfirmInput {
  challengeId: string;
  credentialId: string;
  response: unknown;
  phoneSignature: Uint8Array;
  clientAddress: string | null;
}

export type ScanService = ReturnType<typeof createScanService>;
