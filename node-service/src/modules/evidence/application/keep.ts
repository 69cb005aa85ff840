import type { ScanEvidence } from '../../scan/index.js';
import type { ReceiptEvidence } from '../domain/receipt.js';
import type { ReceiptRepository } from './ports.js';

/** What the scan hands over with a confirmation: its port's evidence, kept as it is (no twin type). */
export type ConfirmationEvidence = ScanEvidence;

const b64 = (value: Uint8Array) => Buffer.from(value).toString('base64url');
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * A receipt per confirmation, as the document the confirmation's own statement keeps (evidence.keep_receipts,
 * database/functions/evidence.keep_receipts.sql): unchained, committed with the confirmation or not at all; the sealer chains it.
 */
export function createReceiptKeeper(deps: { receipts: Pick<ReceiptRepository, 'document'>; rpId: string; origins: readonly string[] }) {
  return {
    document(e: ConfirmationEvidence): Record<string, unknown> {
      const response = ((e.assertion as { response?: Record<string, unknown> } | null)?.response ?? {}) as Record<string, unknown>;
      const evidence: ReceiptEvidence = {
        round: e.round,
        slot: e.slot,
        studentId: e.studentId,
        deviceId: e.deviceId,
        credentialId: e.credentialId,
        devicePublicKey: b64(e.devicePublicKey),
        phonePublicKey: b64(e.phonePublicKey),
        challengeId: e.challengeId,
        challenge: e.challenge,
        rpId: deps.rpId,
        origins: [...deps.origins],
        authenticatorData: text(response.authenticatorData),
        clientDataJSON: text(response.clientDataJSON),
        signature: text(response.signature),
        userHandle: typeof response.userHandle === 'string' && response.userHandle !== '' ? response.userHandle : null,
        phoneSignature: b64(e.phoneSignature),
      };
      return deps.receipts.document(evidence);
    },
  };
}
