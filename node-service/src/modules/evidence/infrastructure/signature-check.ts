import { createHash } from 'node:crypto';
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { phoneKeyMessage, phoneSignatureValid } from '../../../shared/phone-key.js';
import type { HashOf, ReceiptEvidence } from '../domain/receipt.js';

export const sha256Hex: HashOf = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

const bytes = (base64url: string) => new Uint8Array(Buffer.from(base64url, 'base64url'));

/**
 * Re-checks a receipt's signatures from its own stored keys, offline: the passkey's assertion exactly as at
 * the scan (SimpleWebAuthn with the stored challenge, origins and RP id, user verification required) and the
 * phone key's signature over the same challenge (shared/phone-key.ts). Returns what is wrong, if anything.
 */
export async function signatureProblems(evidence: ReceiptEvidence): Promise<string[]> {
  const problems: string[] = [];
  const response: AuthenticationResponseJSON = {
    id: evidence.credentialId,
    rawId: evidence.credentialId,
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      authenticatorData: evidence.authenticatorData,
      clientDataJSON: evidence.clientDataJSON,
      signature: evidence.signature,
      ...(evidence.userHandle ? { userHandle: evidence.userHandle } : {}),
    },
  };
  try {
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: evidence.challenge,
      expectedOrigin: evidence.origins,
      expectedRPID: evidence.rpId,
      requireUserVerification: true,
      credential: { id: evidence.credentialId, publicKey: bytes(evidence.devicePublicKey), counter: 0 },
    });
    if (!verification.verified) problems.push('passkey signature does not verify');
  } catch (error) {
    problems.push(`passkey assertion does not verify: ${error instanceof Error ? error.message : String(error)}`);
  }
  let message: Buffer | null = null;
  try {
    message = phoneKeyMessage('scan-confirm', evidence.challengeId, evidence.challenge);
  } catch {
    problems.push('phone-key message cannot be rebuilt (challenge altered)');
  }
  if (message && !phoneSignatureValid(bytes(evidence.phonePublicKey), message, bytes(evidence.phoneSignature))) {
    problems.push('phone-key signature does not verify');
  }
  return problems;
}
