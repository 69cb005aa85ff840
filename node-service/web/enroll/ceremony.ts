// The browser half of enrolment: ask the service for options, let the phone make the passkey, send it back.
// A failure on the phone becomes a localised sentence here; a refusal by the service already carries one.
import {
  browserSupportsWebAuthn,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/browser';
import type { ApiClient } from '../src/lib/api';
import type { I18n } from '../src/lib/i18n';
import type { Key } from './messages';
import type { DeviceView } from './model';

/** A failure the browser or the phone reported, already put into words for the student. */
export class CeremonyFailure extends Error {
  override readonly name = 'CeremonyFailure';
}

export async function enrolPasskey(api: ApiClient, i18n: I18n<Key>): Promise<DeviceView> {
  if (!browserSupportsWebAuthn()) throw new CeremonyFailure(i18n.t('fail.unsupported'));
  const { options } = await api.apiFetch<{ options: PublicKeyCredentialCreationOptionsJSON }>('/asistencia/api/enrollment/options', {
    method: 'POST',
  });
  let response;
  try {
    response = await startRegistration({ optionsJSON: options });
  } catch (error) {
    throw new CeremonyFailure(phoneFailure(error, i18n));
  }
  const { device } = await api.apiFetch<{ device: DeviceView }>('/asistencia/api/enrollment/verify', {
    method: 'POST',
    body: { response, name: deviceNameGuess(i18n) },
  });
  return device;
}

function phoneFailure(error: unknown, i18n: I18n<Key>): string {
  const code = error instanceof WebAuthnError ? error.code : undefined;
  const name = error instanceof Error ? error.name : '';
  switch (code) {
    case 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED':
      return i18n.t('fail.alreadyRegistered');
    case 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT':
      return i18n.t('fail.noDiscoverable');
    case 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT':
      return i18n.t('fail.noVerification');
    case 'ERROR_INVALID_DOMAIN':
    case 'ERROR_INVALID_RP_ID':
      return i18n.t('fail.domain');
  }
  // NotAllowedError covers cancelling, timing out and a failed fingerprint or face check alike.
  if (name === 'NotAllowedError' || name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED') return i18n.t('fail.notAllowed');
  if (name === 'SecurityError') return i18n.t('fail.domain');
  return i18n.t('fail.browser', { detail: name || 'Error' });
}

/** A first name for the device, which the student can change in the list: "Llave de acceso (Android)". */
function deviceNameGuess(i18n: I18n<Key>): string {
  const agent = navigator.userAgent;
  const platforms: ReadonlyArray<[RegExp, string]> = [
    [/iPhone/, 'iPhone'],
    [/iPad/, 'iPad'],
    [/Android/, 'Android'],
    [/CrOS/, 'Chromebook'],
    [/Mac OS X/, 'Mac'],
    [/Windows/, 'Windows'],
    [/Linux/, 'Linux'],
  ];
  const platform = platforms.find(([pattern]) => pattern.test(agent))?.[1];
  return platform ? i18n.t('enroll.defaultName', { platform }) : i18n.t('enroll.defaultNamePlain');
}
