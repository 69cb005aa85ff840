import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../support/api.js';
import { createTestPhoneKey, withPhoneKey } from '../support/phone.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { enrollment, expectRefusal, freshStudent, historyRows, phoneFor } from './support.js';

/**
 * The portal password is not the passkey (issue 24): someone who knows a student's portal password may enrol
 * a first phone, but revoking or re-binding an enrolled device needs that device's passkey (or an admin), and
 * re-binding is rationed (ENROLLMENT_REBIND_COOLDOWN_HOURS, ENROLLMENT_REBINDS_BEFORE_FLAG). Every change and
 * every refused attempt is in the list of changes the student's pages show. Each defence was removed once
 * and its test went red: the missing-assertion refusal (revocation.ts), the device match of the assertion,
 * the cooldown and the ceiling (policy.ts), the reset that lifts them (device-repository.ts REBIND_RECORD).
 */
let service: RunningService;
/** Re-binding without a cooldown and at most twice in 30 days, to reach the ceiling. */
let rationed: RunningService;

beforeAll(async () => {
  [service, rationed] = await Promise.all([
    startService({ env: { ENROLLMENT_MAX_DEVICES: '2', ENROLLMENT_COOLDOWN_MINUTES: '0' } }),
    startService({ env: { ENROLLMENT_REBIND_COOLDOWN_HOURS: '0', ENROLLMENT_REBINDS_BEFORE_FLAG: '2' } }),
  ]);
});
afterAll(() => Promise.all([service?.stop(), rationed?.stop()]));

const admin = (on: RunningService) => apiAs(on.baseUrl, users.admin);
const changesOf = async (client: ReturnType<typeof enrollment>) =>
  ((await client.devices()).body.changes as Array<{ action: string; by: string; reason: string | null; deviceId: number | null }>).map(
    (change) => `${change.action}:${change.by}:${change.reason ?? ''}`,
  );

describe('revoking a device', () => {
  it('with the portal token alone is refused, changes nothing, and the student is told of the attempt', async () => {
    const student = freshStudent('Víctima');
    const client = enrollment(service, student);
    // A first enrolment by portal sign-in alone stays allowed, and is listed too.
    const device = await client.enroll(phoneFor(service));

    expectRefusal(await client.revokeByPassword(device.id), 403, 'ENROLLMENT_PASSKEY_REQUIRED');
    expect((await client.devices()).body.devices).toMatchObject([{ id: device.id, state: 'active' }]);
    expect(await changesOf(client)).toEqual(['refused:student:passkey_required', 'enrolled:student:']);
    expect((await historyRows(service, student.sub)).at(-1)).toMatchObject({ action: 'refused', device_id: device.id, reason: 'passkey_required' });
  });

  it("with that device's passkey over a fresh challenge is accepted, once", async () => {
    const student = freshStudent();
    const client = enrollment(service, student);
    const phone = phoneFor(service);
    const device = await client.enroll(phone);

    const options = await client.revokeOptions(device.id);
    expect(options.body.options.allowCredentials).toEqual([expect.objectContaining({ id: device.credentialId })]);
    const assertion = phone.assert(options.body.options);
    const revoked = await client.api.post(`/api/enrollment/devices/${device.id}/revoke`, { reason: 'Cambié de teléfono', assertion });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.device).toMatchObject({ state: 'revoked', revokedReason: 'Cambié de teléfono' });
    expect(await changesOf(client)).toEqual(['revoked:student:Cambié de teléfono', 'enrolled:student:']);
    // The challenge was single-use: the same assertion buys nothing more.
    const second = await client.enroll(phoneFor(service));
    const replay = await client.api.post(`/api/enrollment/devices/${second.id}/revoke`, { reason: 'otra vez', assertion });
    expectRefusal(replay, 409, 'ENROLLMENT_CHALLENGE_ALREADY_USED');
  });

  it("with another of the student's passkeys is refused: it must be that device's", async () => {
    const client = enrollment(service, freshStudent());
    const kept = phoneFor(service);
    await client.enroll(kept);
    const target = await client.enroll(phoneFor(service), undefined, kept);
    const options = (await client.revokeOptions(target.id)).body.options;
    const other = kept.assert({ ...options, allowCredentials: [] });
    expectRefusal(await client.api.post(`/api/enrollment/devices/${target.id}/revoke`, { reason: 'no es mío', assertion: other }), 403, 'ENROLLMENT_PASSKEY_NOT_THIS_DEVICE');
    expect((await client.devices()).body.devices.every((d: { state: string }) => d.state === 'active')).toBe(true);
  });

  it('by an admin needs no passkey, and the student sees who did it', async () => {
    const client = enrollment(service, freshStudent());
    const device = await client.enroll(phoneFor(service));
    expect((await admin(service).post(`/api/admin/devices/${device.id}/revoke`, { reason: 'Teléfono robado, denunciado' })).status).toBe(200);
    expect(await changesOf(client)).toEqual(['revoked:admin:Teléfono robado, denunciado', 'enrolled:student:']);
  });
});

describe('adding a device while one is in use', () => {
  it('with the portal token alone is refused (the new phone could confirm for the student); with the passkey of one in use, accepted', async () => {
    const student = freshStudent('Víctima');
    const client = enrollment(service, student);
    const own = phoneFor(service);
    await client.enroll(own);

    expectRefusal(await client.options(), 403, 'ENROLLMENT_PASSKEY_REQUIRED_TO_ADD');
    expect((await changesOf(client))[0]).toBe('refused:student:passkey_required');
    // Someone else's passkey proves nothing here.
    const stranger = phoneFor(service);
    await enrollment(service, freshStudent()).enroll(stranger);
    const proof = await client.api.post('/api/enrollment/options/proof');
    expectRefusal(await client.options(stranger.assert({ ...proof.body.options, allowCredentials: [] })), 403, 'ENROLLMENT_REBIND_NOT_YOUR_PASSKEY');

    const second = await client.enroll(phoneFor(service), 'Tablet', own);
    expect(second).toMatchObject({ name: 'Tablet', state: 'active' });
    expectRefusal(await enrollment(service, freshStudent()).api.post('/api/enrollment/options/proof'), 409, 'ENROLLMENT_NO_DEVICE_YET');
  });
});

describe('re-binding a device to another phone', () => {
  it('waits ENROLLMENT_REBIND_COOLDOWN_HOURS (default 24) after the previous one; an admin reset lifts the wait', async () => {
    const student = freshStudent();
    const client = enrollment(service, student);
    const phone = phoneFor(service);
    await client.enroll(phone);
    await client.rebindWith(withPhoneKey(phone, createTestPhoneKey()));

    const again = await client.rebind(phone.assert((await client.rebindOptions()).body.options), createTestPhoneKey());
    expectRefusal(again, 429, 'ENROLLMENT_REBIND_COOLDOWN_ACTIVE');
    expect(again.body.error.details.waitMinutes).toBeGreaterThan(23 * 60);
    expect((await changesOf(client))[0]).toBe('refused:student:rebind_cooldown');

    expect((await admin(service).post('/api/admin/devices/reset', { studentId: student.sub, reason: 'Cambio de teléfono comprobado' })).status).toBe(200);
    const moved = withPhoneKey(phone, createTestPhoneKey());
    expect(await client.rebindWith(moved)).toMatchObject({ phoneKeyId: moved.phoneKey.id });
  });

  it('past ENROLLMENT_REBINDS_BEFORE_FLAG is refused pending an admin, whose reset lets the student go on', async () => {
    const student = freshStudent();
    const client = enrollment(rationed, student);
    const phone = phoneFor(rationed);
    const device = await client.enroll(phone);
    await client.rebindWith(withPhoneKey(phone, createTestPhoneKey()));
    await client.rebindWith(withPhoneKey(phone, createTestPhoneKey()));

    const third = await client.rebind(phone.assert((await client.rebindOptions()).body.options), createTestPhoneKey());
    expectRefusal(third, 403, 'ENROLLMENT_REBIND_LIMIT_REACHED');
    // The device waits in the admin's "devices to review".
    const attention = await admin(rationed).get('/api/admin/devices/attention');
    const listed = attention.body.devices.find((d: { id: number }) => d.id === device.id);
    expect(listed.alerts.map((a: { reason: string }) => a.reason)).toEqual(['frequent_rebinds']);
    expect(await changesOf(client)).toEqual(['refused:student:rebind_limit', 'rebound:student:', 'rebound:student:', 'enrolled:student:']);

    expect((await admin(rationed).post('/api/admin/devices/reset', { studentId: student.sub, reason: 'Revisado con la estudiante' })).status).toBe(200);
    const fourth = withPhoneKey(phone, createTestPhoneKey());
    expect(await client.rebindWith(fourth)).toMatchObject({ phoneKeyId: fourth.phoneKey.id });
  });
});
