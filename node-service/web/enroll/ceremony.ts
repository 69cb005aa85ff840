// The browser half of enrolment: ask the service for options, let the phone make the passkey, send it back.
// A failure on the phone becomes a localised sentence here; a refusal by the service already carries one.
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { basePath, type ApiClient } from '../src/lib/api';
import type { I18n } from '../src/lib/i18n';
import { ensurePhoneKey, signWithPhoneKey, type PhoneKey } from '../src/lib/phone-key';
import type { Key } from './messages';
import type { DeviceView } from './model';

/** A failure the browser or the phone reported, already put into words for the student. */
export class CeremonyFailure extends Error {
  override readonly name = 'CeremonyFailure';
}

/**
 * Enrols a passkey on this phone. A student who already has a device in use proves one of them first (its
 * passkey signs a fresh challenge): the portal sign-in alone cannot add a phone.
 */
export async function enrollPasskey(api: ApiClient, i18n: I18n<Key>, hasDevices: boolean): Promise<DeviceView> {
  if (!browserSupportsWebAuthn()) throw new CeremonyFailure(i18n.t('fail.unsupported'));
  const proof = hasDevices ? await proveADevice(api, i18n) : undefined;
  const { options } = await api.apiFetch<{ options: PublicKeyCredentialCreationOptionsJSON }>(`${basePath}api/enrollment/options`, {
    method: 'POST',
    ...(proof ? { body: { assertion: proof } } : {}),
  });
  let response;
  try {
    response = await startRegistration({ optionsJSON: options });
  } catch (error) {
    throw new CeremonyFailure(phoneFailure(error, i18n));
  }
  const phoneKey = await thisPhoneKey(i18n);
  const { device } = await api.apiFetch<{ device: DeviceView }>(`${basePath}api/enrollment/verify`, {
    method: 'POST',
    body: { response, phoneKey: { publicKey: phoneKey.publicKey, signature: await signWithPhoneKey(phoneKey, 'enroll', options.challenge) }, name: deviceNameGuess(i18n) },
  });
  return device;
}

/**
 * Links this phone again: the student proves their passkey, and this browser's phone key (made now if it
 * has none) replaces the one their device was bound to.
 */
export async function rebindPhone(api: ApiClient, i18n: I18n<Key>): Promise<DeviceView> {
  if (!browserSupportsWebAuthn()) throw new CeremonyFailure(i18n.t('fail.unsupported'));
  const { options } = await api.apiFetch<{ options: PublicKeyCredentialRequestOptionsJSON }>(`${basePath}api/enrollment/rebind/options`, { method: 'POST' });
  let assertion;
  try {
    assertion = await startAuthentication({ optionsJSON: options });
  } catch (error) {
    throw new CeremonyFailure(phoneFailure(error, i18n, 'fail.notHere.rebind'));
  }
  const phoneKey = await thisPhoneKey(i18n);
  const { device } = await api.apiFetch<{ device: DeviceView }>(`${basePath}api/enrollment/rebind`, {
    method: 'POST',
    body: { assertion, phoneKey: { publicKey: phoneKey.publicKey, signature: await signWithPhoneKey(phoneKey, 'rebind', options.challenge) } },
  });
  return device;
}

/**
 * Revokes one of the student's devices: that device's passkey signs a fresh challenge first (the portal
 * sign-in alone cannot revoke), so this works on the phone that holds it; a lost phone is an admin's job.
 */
export async function revokeDevice(api: ApiClient, i18n: I18n<Key>, deviceId: number, reason: string): Promise<DeviceView> {
  if (!browserSupportsWebAuthn()) throw new CeremonyFailure(i18n.t('fail.unsupported'));
  const path = `${basePath}api/enrollment/devices/${deviceId}/revoke`;
  const { options } = await api.apiFetch<{ options: PublicKeyCredentialRequestOptionsJSON }>(`${path}/options`, { method: 'POST' });
  let assertion;
  try {
    assertion = await startAuthentication({ optionsJSON: options });
  } catch (error) {
    throw new CeremonyFailure(phoneFailure(error, i18n, 'fail.notHere.revoke'));
  }
  const { device } = await api.apiFetch<{ device: DeviceView }>(path, { method: 'POST', body: { reason, assertion } });
  return device;
}

/** The passkey of one of the student's devices in use, over a fresh challenge. */
async function proveADevice(api: ApiClient, i18n: I18n<Key>) {
  const { options } = await api.apiFetch<{ options: PublicKeyCredentialRequestOptionsJSON }>(`${basePath}api/enrollment/options/proof`, { method: 'POST' });
  try {
    return await startAuthentication({ optionsJSON: options });
  } catch (error) {
    throw new CeremonyFailure(phoneFailure(error, i18n, 'fail.notHere.proof'));
  }
}

async function thisPhoneKey(i18n: I18n<Key>): Promise<PhoneKey> {
  try {
    return await ensurePhoneKey();
  } catch {
    throw new CeremonyFailure(i18n.t('fail.phoneKey'));
  }
}

/**
 * The phone's failure in words. `refused` words a NotAllowedError when the service asked for an existing
 * passkey: then the likeliest cause is not the screen lock but a phone that does not hold that passkey
 * (another phone, or a passkey deleted from this one), and the way forward differs.
 */
function phoneFailure(error: unknown, i18n: I18n<Key>, refused: Key = 'fail.notAllowed'): string {
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
  // NotAllowedError covers cancelling, timing out, a failed fingerprint or face check and no such passkey alike.
  if (name === 'NotAllowedError' || name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED') return i18n.t(refused);
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
