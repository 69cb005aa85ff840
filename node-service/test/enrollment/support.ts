import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { expect } from 'vitest';
import { apiAs, type ApiResponse } from '../support/api.js';
import { createSoftAuthenticator, type SoftAuthenticator, type SoftAuthenticatorOptions } from '../support/authenticator.js';
import { createTestPhoneKey, withPhoneKey, type Phone, type TestPhoneKey } from '../support/phone.js';
import type { RunningService } from '../support/service.js';

export type TestUser = { sub: string; role: string; name: string };

let next = 0;
/** A student nobody else in the file uses, so every test starts with no devices and no cooldown. */
export function freshStudent(name = 'Estudiante'): TestUser {
  next += 1;
  return { sub: `e${process.pid}x${next}`, role: 'student', name: `${name} ${next}` };
}

/** A phone for this service (the origin and RP id its pages use), with its own phone key. */
export function phoneFor(service: RunningService, options: Partial<SoftAuthenticatorOptions> = {}): Phone {
  return withPhoneKey(createSoftAuthenticator({ origin: service.config.publicUrl.origin, rpId: service.config.publicUrl.hostname, ...options }));
}

/** The challenge a WebAuthn response answers, read from its clientDataJSON ('' when it has none). */
function challengeOf(response: object): string {
  try {
    const clientData = (response as { response?: { clientDataJSON?: string } }).response?.clientDataJSON ?? '';
    return String(JSON.parse(Buffer.from(clientData, 'base64url').toString('utf8')).challenge ?? '');
  } catch {
    return '';
  }
}

/** The phone key's part of an enrolment or re-binding: its public key and its signature over the challenge. */
export function phoneKeyProof(phoneKey: TestPhoneKey, purpose: 'enroll' | 'rebind', response: object) {
  return { publicKey: phoneKey.publicKey, signature: phoneKey.sign(purpose, challengeOf(response)) };
}

export function enrollment(service: RunningService, user: TestUser) {
  const api = apiAs(service.baseUrl, user);
  // A phone key for calls that name no phone (the page always sends one).
  const defaultKey = createTestPhoneKey();
  const client = {
    api,
    options: (assertion?: object) => api.post('/api/enrollment/options', assertion ? { assertion } : undefined),
    /** The passkey of a device in use (held by `phone`), proving the student before another device is added. */
    async proofWith(phone: SoftAuthenticator) {
      const options = await api.post('/api/enrollment/options/proof');
      expect(options.status, JSON.stringify(options.body)).toBe(200);
      return phone.assert(options.body.options);
    },
    verify: (response: RegistrationResponseJSON | object, name?: string, phoneKey: TestPhoneKey = defaultKey) =>
      api.post('/api/enrollment/verify', { response, phoneKey: phoneKeyProof(phoneKey, 'enroll', response), ...(name === undefined ? {} : { name }) }),
    rebindOptions: () => api.post('/api/enrollment/rebind/options'),
    rebind: (assertion: object, phoneKey: TestPhoneKey) =>
      api.post('/api/enrollment/rebind', { assertion, phoneKey: phoneKeyProof(phoneKey, 'rebind', assertion) }),
    devices: () => api.get('/api/enrollment/devices'),
    revokeOptions: (deviceId: number) => api.post(`/api/enrollment/devices/${deviceId}/revoke/options`),
    /** Revoking with the portal token alone: no passkey. */
    revokeByPassword: (deviceId: number, reason = 'cambié de teléfono') => api.post(`/api/enrollment/devices/${deviceId}/revoke`, { reason }),
    /** Revoking as the page does: that device's passkey signs a fresh challenge (`phone` holds the passkey). */
    async revoke(phone: SoftAuthenticator, deviceId: number, reason = 'cambié de teléfono') {
      const options = await client.revokeOptions(deviceId);
      if (options.status !== 200) return options;
      return api.post(`/api/enrollment/devices/${deviceId}/revoke`, { reason, assertion: phone.assert(options.body.options) });
    },
    /** Revoking, which must succeed. */
    async revokeWith(phone: SoftAuthenticator, deviceId: number, reason?: string) {
      const answer = await client.revoke(phone, deviceId, reason);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.device;
    },
    /** Options that must be granted; `provenBy` holds the passkey of a device in use, when there is one. */
    async grantedOptions(provenBy?: SoftAuthenticator) {
      const answer = await client.options(provenBy ? await client.proofWith(provenBy) : undefined);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.options;
    },
    /** The whole ceremony, which must succeed: the stored device, bound to the phone's key. */
    async enroll(phone: Phone, name?: string, provenBy?: SoftAuthenticator) {
      const answer = await client.verify(phone.register(await client.grantedOptions(provenBy)), name, phone.phoneKey);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.device;
    },
    /** Re-binding, which must succeed: the phone's passkey proves the student, its (new) key is bound. */
    async rebindWith(phone: Phone) {
      const options = await client.rebindOptions();
      expect(options.status, JSON.stringify(options.body)).toBe(200);
      const answer = await client.rebind(phone.assert(options.body.options), phone.phoneKey);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.device;
    },
  };
  return client;
}

export function expectRefusal(answer: ApiResponse, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.error?.code }, JSON.stringify(answer.body)).toEqual({ status, code });
  expect(answer.body.error.message).toMatch(/\S/);
}

export interface DeviceRow {
  id: number;
  credential_id: string;
  public_key: Uint8Array;
  sign_count: number;
  transports: string[];
  aaguid: string;
  backup_eligible: boolean;
  backed_up: boolean;
  friendly_name: string;
  state: string;
  revoked_reason: string | null;
  created_at: Date;
  last_used_at: Date | null;
}

export interface HistoryRow {
  device_id: number | null;
  action: string;
  actor_id: string;
  actor_role: string;
  reason: string | null;
  details: Record<string, unknown>;
  occurred_at: Date;
}

export async function deviceRows(service: RunningService, studentId: string): Promise<DeviceRow[]> {
  const { rows } = await service.db.query<DeviceRow>(
    `SELECT id, credential_id, public_key, sign_count, transports, aaguid::text AS aaguid, backup_eligible, backed_up,
            friendly_name, state, revoked_reason, created_at, last_used_at
     FROM enrollment.devices WHERE student_id = $1 ORDER BY id`,
    [studentId],
  );
  return rows;
}

export async function historyRows(service: RunningService, studentId: string): Promise<HistoryRow[]> {
  const { rows } = await service.db.query<HistoryRow>(
    `SELECT device_id, action, actor_id, actor_role, reason, details, occurred_at
     FROM enrollment.enrollment_history WHERE student_id = $1 ORDER BY id`,
    [studentId],
  );
  return rows;
}
