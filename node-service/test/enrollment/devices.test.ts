import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeviceOperations, studentIdFromUserHandle } from '../../src/modules/enrollment/index.js';
import type { ScanCredentials } from '../../src/modules/scan/index.js';
import { apiAs } from '../support/api.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { enrollment, expectRefusal, freshStudent, historyRows, phoneFor } from './support.js';

/**
 * After enrolment: a student renames and revokes their own devices; an admin lists, revokes and resets
 * anyone's; every change is a history row saying who, when and why. The scan step's lookup only ever
 * returns active devices, and an assertion from the enrolled passkey verifies against what it returns.
 */
let service: RunningService;
// The scan module's port, implemented by enrolment: app.ts passes it straight through.
let scan: ScanCredentials;

beforeAll(async () => {
  service = await startService({ env: { ENROLLMENT_COOLDOWN_MINUTES: '0' } });
  scan = createDeviceOperations({ config: service.config, db: service.db }).credentials;
});
afterAll(() => service?.stop());

describe('a student and their devices', () => {
  it('lists, renames and revokes their own device, each change audited', async () => {
    const student = freshStudent();
    const client = enrollment(service, student);
    const phone = phoneFor(service);
    const device = await client.enroll(phone, 'Pixel 8');

    const listed = (await client.devices()).body;
    expect(listed.studentId).toBe(student.sub);
    expect(listed.devices.map((d: { id: number; name: string }) => [d.id, d.name])).toEqual([[device.id, 'Pixel 8']]);

    const renamed = await client.api.call('PATCH', `/api/enrollment/devices/${device.id}`, { name: 'Teléfono de clase' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.device.name).toBe('Teléfono de clase');
    expectRefusal(await client.api.call('PATCH', `/api/enrollment/devices/${device.id}`, { name: '   ' }), 400, 'ENROLLMENT_DEVICE_NAME_INVALID');

    expectRefusal(await client.api.post(`/api/enrollment/devices/${device.id}/revoke`, { reason: ' ' }), 400, 'ENROLLMENT_REASON_REQUIRED');
    const revoked = await client.revoke(phone, device.id, 'Lo perdí en el autobús');
    expect(revoked.status).toBe(200);
    expect(revoked.body.device).toMatchObject({ state: 'revoked', revokedReason: 'Lo perdí en el autobús' });
    expect(Date.parse(revoked.body.device.revokedAt)).toBeGreaterThan(Date.now() - 60_000);
    expectRefusal(await client.api.post(`/api/enrollment/devices/${device.id}/revoke`, { reason: 'otra vez' }), 409, 'ENROLLMENT_DEVICE_REVOKED');
    expectRefusal(await client.revokeOptions(device.id), 409, 'ENROLLMENT_DEVICE_REVOKED');
    expectRefusal(await client.api.call('PATCH', `/api/enrollment/devices/${device.id}`, { name: 'x' }), 409, 'ENROLLMENT_DEVICE_REVOKED');

    expect(await historyRows(service, student.sub)).toMatchObject([
      { action: 'enrolled', actor_id: student.sub, actor_role: 'student' },
      { action: 'renamed', actor_id: student.sub, actor_role: 'student', details: { from: 'Pixel 8', to: 'Teléfono de clase' } },
      { action: 'revoked', actor_id: student.sub, actor_role: 'student', reason: 'Lo perdí en el autobús', device_id: device.id },
    ]);
  });

  it("cannot see, rename or revoke another student's device", async () => {
    const owner = enrollment(service, freshStudent('Dueño'));
    const other = enrollment(service, freshStudent('Otro'));
    const device = await owner.enroll(phoneFor(service));

    expect((await other.devices()).body.devices).toEqual([]);
    expectRefusal(await other.api.call('PATCH', `/api/enrollment/devices/${device.id}`, { name: 'mío' }), 404, 'ENROLLMENT_DEVICE_NOT_FOUND');
    expectRefusal(await other.api.post(`/api/enrollment/devices/${device.id}/revoke`, { reason: 'porque sí' }), 404, 'ENROLLMENT_DEVICE_NOT_FOUND');
    expectRefusal(await other.revokeOptions(device.id), 404, 'ENROLLMENT_DEVICE_NOT_FOUND');
    expect((await owner.devices()).body.devices[0]).toMatchObject({ state: 'active', name: 'Llave de acceso' });
  });
});

describe('the lookup the scan step uses', () => {
  it('finds the active device by credential id, and its passkey assertion verifies against it', async () => {
    const student = freshStudent();
    const phone = phoneFor(service);
    const device = await enrollment(service, student).enroll(phone);

    const found = await scan.byCredentialId(device.credentialId);
    expect(found).toMatchObject({ deviceId: device.id, studentId: student.sub, signCount: 0, transports: ['internal', 'hybrid'], state: 'active', phoneKeyId: phone.phoneKey.id, alerts: [] });
    expect(Buffer.from(found!.phonePublicKey!).toString('base64url')).toBe(phone.phoneKey.publicKey);
    expect(await scan.boundToPhone(phone.phoneKey.id)).toEqual([found]);

    // What the scan step will do: a discoverable-credential assertion, verified with the stored key.
    const options = await generateAuthenticationOptions({ rpID: service.config.webauthn.rpId, userVerification: 'required' });
    const assertion = phone.assert(options);
    const verified = await verifyAuthenticationResponse({
      response: assertion,
      expectedChallenge: options.challenge,
      expectedOrigin: service.config.webauthn.origins,
      expectedRPID: service.config.webauthn.rpId,
      credential: { id: found!.credentialId, publicKey: found!.publicKey, counter: found!.signCount },
      requireUserVerification: true,
    });
    expect(verified.verified).toBe(true);
    expect(studentIdFromUserHandle(Buffer.from(assertion.response.userHandle!, 'base64url'))).toBe(found!.studentId);
    expect(scan.studentIdFromUserHandle(Buffer.from(assertion.response.userHandle!, 'base64url'))).toBe(student.sub);

  });

  it('reports a revoked device as revoked, and an unknown credential as unknown', async () => {
    const student = freshStudent();
    const client = enrollment(service, student);
    const phone = phoneFor(service);
    const device = await client.enroll(phone);
    await client.revokeWith(phone, device.id, 'ya no lo uso');

    expect(await scan.byCredentialId(device.credentialId)).toMatchObject({ state: 'revoked' });
    expect(await scan.byCredentialId('no-such-credential')).toBeNull();
  });

  it('flags a device (e.g. its counter went backwards), which then is not active; audited as the system', async () => {
    const student = freshStudent();
    const device = await enrollment(service, student).enroll(phoneFor(service));

    expect(await scan.flag(device.id, 'sign counter went backwards', { stored: 7, presented: 3 })).toBe(true);
    expect(await scan.byCredentialId(device.credentialId)).toMatchObject({ state: 'flagged' });
    expect(await scan.flag(device.id, 'again')).toBe(false);
    expect((await historyRows(service, student.sub)).at(-1)).toMatchObject({
      action: 'flagged',
      actor_role: 'system',
      reason: 'sign counter went backwards',
      details: { stored: 7, presented: 3 },
    });
  });
});

describe('an admin', () => {
  const admin = () => apiAs(service.baseUrl, users.admin);

  it("lists any student's devices, revokes one with a reason, resets, and reads the history", async () => {
    const student = freshStudent();
    const device = await enrollment(service, student).enroll(phoneFor(service), 'Galaxy');

    const listed = await admin().get(`/api/admin/devices?studentId=${student.sub}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ studentId: student.sub, devices: [{ id: device.id, name: 'Galaxy', state: 'active' }] });

    expectRefusal(await admin().post(`/api/admin/devices/${device.id}/revoke`, {}), 400, 'VALIDATION_FAILED');
    const revoked = await admin().post(`/api/admin/devices/${device.id}/revoke`, { reason: 'Denuncia de préstamo del teléfono' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.device).toMatchObject({ state: 'revoked', revokedReason: 'Denuncia de préstamo del teléfono' });
    expectRefusal(await admin().post('/api/admin/devices/999999999/revoke', { reason: 'no existe' }), 404, 'ENROLLMENT_DEVICE_NOT_FOUND');

    const reset = await admin().post('/api/admin/devices/reset', { studentId: student.sub, reason: 'Nuevo teléfono comprobado' });
    expect(reset.status).toBe(200);

    const history = await admin().get(`/api/admin/devices/history?studentId=${student.sub}`);
    expect(history.status).toBe(200);
    expect(history.body.entries).toMatchObject([
      { action: 'reset', actorId: users.admin.sub, actorRole: 'admin', reason: 'Nuevo teléfono comprobado', deviceId: null, details: { enrolmentsCleared: 1 } },
      { action: 'revoked', actorId: users.admin.sub, actorRole: 'admin', reason: 'Denuncia de préstamo del teléfono', deviceId: device.id },
      { action: 'enrolled', actorId: student.sub, actorRole: 'student', reason: null, deviceId: device.id },
    ]);
    for (const entry of history.body.entries) expect(Date.parse(entry.occurredAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('is the only one who may use the admin routes: students and teachers get 403', async () => {
    const device = await enrollment(service, freshStudent()).enroll(phoneFor(service));
    for (const user of [users.student, users.teacher]) {
      const api = apiAs(service.baseUrl, user);
      expectRefusal(await api.get(`/api/admin/devices?studentId=${users.student.sub}`), 403, 'AUTH_ROLE_FORBIDDEN');
      expectRefusal(await api.get(`/api/admin/devices/history?studentId=${users.student.sub}`), 403, 'AUTH_ROLE_FORBIDDEN');
      expectRefusal(await api.post(`/api/admin/devices/${device.id}/revoke`, { reason: 'no soy admin' }), 403, 'AUTH_ROLE_FORBIDDEN');
      expectRefusal(await api.post('/api/admin/devices/reset', { studentId: users.student.sub, reason: 'no soy admin' }), 403, 'AUTH_ROLE_FORBIDDEN');
    }
    const unsigned = await fetch(`${service.baseUrl}/asistencia/api/admin/devices?studentId=1`);
    expect(unsigned.status).toBe(401);
    expect(await scan.byCredentialId(device.credentialId)).toMatchObject({ state: 'active' });
  });
});
