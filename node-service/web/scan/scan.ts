// The two public steps of a scan, as the service offers them (modules/scan/presentation/routes.ts): a live
// code buys a WebAuthn challenge; the student's passkey signs it and the service records the confirmation.
// No portal login: the passkey alone says who is signing.
import {
  browserSupportsWebAuthn,
  startAuthentication,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { typedCodeSigned } from '../../src/shared/contract';
import { basePath, type ApiClient } from '../src/lib/api';
import type { Vars } from '../src/lib/i18n';
import { phoneNonce, signWithPhoneKey, type PhoneKey } from '../src/lib/phone-key';
import type { Key } from './messages';

export interface Offer {
  readonly challengeId: string;
  readonly options: PublicKeyCredentialRequestOptionsJSON;
  readonly expiresInSeconds: number;
  readonly session: { readonly courseName: string; readonly room: string; readonly round: number };
}

export interface Confirmation {
  readonly outcome: 'confirmed' | 'already_confirmed';
  readonly walkIn: boolean;
  readonly round: number;
  readonly session: { readonly id: string; readonly courseName: string; readonly room: string };
}

/** What the QR carries after `#`: base64url, as the service mints it. Anything else is not a code. */
export function isToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

/** "123 456", "123456" or "123-456" → "123456"; null when it is not six digits. */
export function normaliseCode(typed: string): string | null {
  const digits = typed.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/** Step one: the code, signed by this phone's key with a fresh nonce, so only an enrolled phone can ask. */
export async function askChallenge(api: Pick<ApiClient, 'apiFetch'>, phoneKey: PhoneKey, code: { token: string } | { code: string }): Promise<Offer> {
  const nonce = phoneNonce();
  const signed = 'token' in code ? code.token : typedCodeSigned(code.code);
  const phone = { keyId: phoneKey.id, nonce, signature: await signWithPhoneKey(phoneKey, 'scan-challenge', signed, nonce) };
  return api.apiFetch<Offer>(`${basePath}api/scan/challenge`, { method: 'POST', body: { ...code, phone }, auth: false });
}

/** Step two: the passkey's assertion, with the same phone key's signature over the challenge. */
export async function sendConfirmation(
  api: Pick<ApiClient, 'apiFetch'>,
  phoneKey: PhoneKey,
  offer: Offer,
  assertion: AuthenticationResponseJSON,
): Promise<Confirmation> {
  const phoneSignature = await signWithPhoneKey(phoneKey, 'scan-confirm', offer.challengeId, offer.options.challenge);
  return api.apiFetch<Confirmation>(`${basePath}api/scan/confirm`, {
    method: 'POST',
    body: { challengeId: offer.challengeId, assertion, phoneSignature },
    auth: false,
  });
}

/**
 * A failure on the phone, kept as a message key so that it follows a change of language; `cancelled` when
 * the prompt was refused, failed the fingerprint check or was never shown.
 */
export class PhoneFailure extends Error {
  override readonly name = 'PhoneFailure';
  constructor(
    readonly key: Key,
    readonly vars: Vars = {},
    readonly cancelled = false,
  ) {
    super(key);
  }
}

/** The passkey prompt. Resolves with the signed assertion or rejects with a PhoneFailure. */
export async function signWithPasskey(offer: Offer): Promise<AuthenticationResponseJSON> {
  if (!browserSupportsWebAuthn()) throw new PhoneFailure('fail.unsupported');
  try {
    return await startAuthentication({ optionsJSON: offer.options });
  } catch (error) {
    throw phoneFailure(error);
  }
}

function phoneFailure(error: unknown): PhoneFailure {
  const code = error instanceof WebAuthnError ? error.code : undefined;
  const cause = error instanceof WebAuthnError && error.cause instanceof Error ? error.cause : error;
  const name = cause instanceof Error ? cause.name : '';
  if (code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID' || name === 'SecurityError') {
    return new PhoneFailure('fail.domain');
  }
  // NotAllowedError covers cancelling, timing out, a failed fingerprint check, no passkey on the phone and,
  // on some phones, a prompt started without a tap: the button is there to try again.
  if (name === 'NotAllowedError' || name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED') {
    return new PhoneFailure('fail.notAllowed', {}, true);
  }
  return new PhoneFailure('fail.browser', { detail: name || 'Error' });
}
