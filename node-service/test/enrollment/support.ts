import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { expect } from 'vitest';
import { apiAs, type ApiResponse } from '../support/api.js';
import { createSoftAuthenticator, type SoftAuthenticator, type SoftAuthenticatorOptions } from '../support/authenticator.js';
import type { RunningService } from '../support/service.js';

export type TestUser = { sub: string; role: string; name: string };

let next = 0;
/** A student nobody else in the file uses, so every test starts with no devices and no cooldown. */
export function freshStudent(name = 'Estudiante'): TestUser {
  next += 1;
  return { sub: `e${process.pid}x${next}`, role: 'student', name: `${name} ${next}` };
}

/** A phone for this service: the origin and RP id its pages use. */
export function phoneFor(service: RunningService, options: Partial<SoftAuthenticatorOptions> = {}): SoftAuthenticator {
  return createSoftAuthenticator({ origin: service.config.publicUrl.origin, rpId: service.config.publicUrl.hostname, ...options });
}

export function enrolment(service: RunningService, user: TestUser) {
  const api = apiAs(service.baseUrl, user);
  const client = {
    api,
    options: () => api.post('/api/enrollment/options'),
    verify: (response: RegistrationResponseJSON | object, name?: string) =>
      api.post('/api/enrollment/verify', { response, ...(name === undefined ? {} : { name }) }),
    devices: () => api.get('/api/enrollment/devices'),
    /** Options that must be granted. */
    async grantedOptions() {
      const answer = await client.options();
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.options;
    },
    /** The whole ceremony, which must succeed: the stored device. */
    async enrol(phone: SoftAuthenticator, name?: string) {
      const answer = await client.verify(phone.register(await client.grantedOptions()), name);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
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
