import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollment, expectRefusal, freshStudent, historyRows, phoneFor, type TestUser } from '../enrollment/support.js';
import { apiAs } from '../support/api.js';
import { keystore } from '../../src/shared/keystore.js';
import { challengeProof, createTestPhoneKey, withPhoneKey, type Phone } from '../support/phone.js';
import { steppedClock } from '../support/stepped-clock.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { expectRefused, liveSession, scanner } from './support.js';

/**
 * The phone binding (issue: one phone, one student), against real PostgreSQL and Valkey. A passkey proves a
 * person unlocked a credential; the phone key proves which phone asks. Every refusal here changes nothing in
 * PostgreSQL. Each defence was checked by removing it from the service once and seeing its test fail:
 * the network comparison in scan.ts (confirm), the device/phone-key match (SCAN_WRONG_PHONE), both phone-key
 * signature checks, the nonce's first use (phone-requests.ts), the shared-phone verdict (policy.ts), the
 * phone key's proof of possession at enrolment (phone-binding.ts) and the phone-key match where the
 * confirmation is recorded (attendance.record_confirmations, database/functions: a re-binding since the challenge).
 */
let service: RunningService;
/** ENROLLMENT_SHARED_PHONE=flag, synced passkeys flagged, one re-binding in 30 days before an admin must look. */
let lenient: RunningService;

beforeAll(async () => {
  [service, lenient] = await Promise.all([
    startService({ env: { SCAN_CHALLENGE_TTL_SECONDS: '2', ENROLLMENT_REBIND_COOLDOWN_HOURS: '1' }, clock: steppedClock() }),
    // The tests below ask a phone for challenges they leave unanswered: not "two at once" here (test/scan/sharing.test.ts).
    startService({
      env: { ENROLLMENT_SHARED_PHONE: 'flag', ENROLLMENT_SYNCED_PASSKEYS: 'flag', ENROLLMENT_REBINDS_BEFORE_FLAG: '1', ENROLLMENT_REBIND_COOLDOWN_HOURS: '0', SHARING_SIMULTANEOUS_MS: '0' },
      clock: steppedClock(),
    }),
  ]);
});
afterAll(() => Promise.all([service?.stop(), lenient?.stop()]));

/** Everything a scan or an enrolment could change, to show that a refusal changed none of it. */
async function snapshot(on: RunningService): Promise<string> {
  const tables = [
    'SELECT session_id, round, student_id, device_id FROM attendance.validations ORDER BY 1, 2, 3',
    'SELECT session_id, student_id, status, rounds_confirmed FROM attendance.results ORDER BY 1, 2',
    'SELECT session_id, student_id, source FROM attendance.registrations ORDER BY 1, 2',
    'SELECT id, state, sign_count, phone_key_id FROM enrollment.devices ORDER BY id',
    'SELECT device_id, reason FROM enrollment.device_alerts ORDER BY 1, 2',
  ];
  const results = await Promise.all(tables.map((sql) => on.db.query(sql)));
  return JSON.stringify(results.map((r) => r.rows));
}

async function enrolledOn(on: RunningService, student: TestUser, phone: Phone = phoneFor(on)): Promise<Phone> {
  await enrollment(on, student).enroll(phone);
  return phone;
}

const options = (offer: { body: { options: unknown } }) => offer.body.options as PublicKeyCredentialRequestOptionsJSON;

describe('a passkey used on a phone it is not bound to', () => {
  it('a copy of the passkey on another phone, with no phone key of its own, cannot even ask for a challenge', async () => {
    const absent = await enrolledOn(service, freshStudent('Ausente'));
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    const { token } = await session.screen();
    const before = await snapshot(service);
    // The same passkeys (copied, synced or shared), on a phone whose key the service never bound.
    const copy = withPhoneKey(absent, createTestPhoneKey());
    expectRefused(await scanner(service).challenge({ token }, copy), 403, 'SCAN_PHONE_UNKNOWN');
    expect(await snapshot(service)).toBe(before);
    session.close();
  });

  it("a friend's enrolled phone holding a copy of the absent student's passkey is refused: it is not that passkey's phone", async () => {
    const absent = await enrolledOn(service, freshStudent('Ausente'));
    const friend = await enrolledOn(service, freshStudent('Amigo'));
    friend.adopt(absent.credentials()[0]!);
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    const offer = await scanner(service).challenge({ token: (await session.screen()).token }, friend);
    expect(offer.status).toBe(200);
    // The options name the friend's own passkey only.
    expect(options(offer).allowCredentials?.map((c) => c.id)).toEqual([friend.credentials()[0]!.id]);
    const before = await snapshot(service);
    // A modified page ignores allowCredentials and signs with the copy.
    const assertion = friend.assert({ ...options(offer), allowCredentials: [] }, { credentialId: absent.credentials()[0]!.id });
    const refused = await scanner(service).confirm(offer, assertion, friend);
    expectRefused(refused, 403, 'SCAN_WRONG_PHONE');
    expect(refused.body.error.message).toMatch(/no es el teléfono donde registraste/);
    expect(await snapshot(service)).toBe(before);
    session.close();
  });

  it('one phone cannot enrol a second student, so it cannot confirm for two; both students are named in the history', async () => {
    const first = freshStudent('Primera');
    const second = freshStudent('Segundo');
    const phone = await enrolledOn(service, first);
    const before = await snapshot(service);
    const client = enrollment(service, second);
    expectRefusal(await client.verify(phone.register(await client.grantedOptions()), undefined, phone.phoneKey), 409, 'ENROLLMENT_PHONE_SHARED');
    expect(await snapshot(service)).toBe(before);
    const refusedFor = async (student: TestUser) => (await historyRows(service, student.sub)).filter((row) => row.action === 'refused');
    expect(await refusedFor(second)).toEqual([expect.objectContaining({ reason: 'shared_phone', details: expect.objectContaining({ otherStudents: [first.sub] }) })]);
    expect(await refusedFor(first)).toEqual([expect.objectContaining({ reason: 'shared_phone', details: expect.objectContaining({ attemptedBy: second.sub }) })]);
  });

  it('an enrolment must prove the phone key: a key signed over another challenge, or a public key that is not P-256, is refused', async () => {
    const student = freshStudent();
    const phone = phoneFor(service);
    const client = enrollment(service, student);
    const response = phone.register(await client.grantedOptions());
    const wrongChallenge = await client.api.post('/api/enrollment/verify', {
      response,
      phoneKey: { publicKey: phone.phoneKey.publicKey, signature: phone.phoneKey.sign('enroll', 'c29tZXRoaW5nLWVsc2U') },
    });
    expectRefusal(wrongChallenge, 400, 'ENROLLMENT_PHONE_KEY_INVALID');
    const garbage = await client.api.post('/api/enrollment/verify', {
      response: phone.register(await client.grantedOptions()),
      phoneKey: { publicKey: 'AAAA', signature: 'A'.repeat(86) },
    });
    expectRefusal(garbage, 400, 'ENROLLMENT_PHONE_KEY_INVALID');
    expect((await client.devices()).body.devices).toEqual([]);
  });
});

describe('a challenge bound to the phone, its network and a short life', () => {
  it('refuses a confirmation from another client network than the one that asked (a relay)', async () => {
    const phone = await enrolledOn(service, freshStudent());
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    const inClass = scanner(service, { 'x-forwarded-for': '198.51.100.20' });
    const elsewhere = scanner(service, { 'x-forwarded-for': '203.0.113.50' });
    const offer = await inClass.challenge({ token: (await session.screen()).token }, phone);
    expect(offer.status).toBe(200);
    const before = await snapshot(service);
    expectRefused(await elsewhere.confirm(offer, phone.assert(options(offer)), phone), 403, 'SCAN_NETWORK_CHANGED');
    expect(await snapshot(service)).toBe(before);
    session.close();
  });

  it('keeps a challenge SCAN_CHALLENGE_TTL_SECONDS in Valkey, and refuses it once expired', async () => {
    const phone = await enrolledOn(service, freshStudent());
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    const offer = await scanner(service).challenge({ token: (await session.screen()).token }, phone);
    expect(offer.body.expiresInSeconds).toBe(2);
    // Valkey forgets the key when its TTL runs out (the rule itself, on a moved clock: stores.test.ts);
    // here the real key's TTL is the setting's, and the key going away is what its expiry does.
    const key = keystore.scanChallenge(offer.body.challengeId);
    expect(await service.store.ttlMs(key)).toBeGreaterThan(1000);
    expect(await service.store.ttlMs(key)).toBeLessThanOrEqual(2000);
    await service.store.delete(key);
    const before = await snapshot(service);
    expectRefused(await scanner(service).confirm(offer, phone.assert(options(offer)), phone), 410, 'SCAN_CHALLENGE_INVALID');
    expect(await snapshot(service)).toBe(before);
    session.close();
  });

  it('refuses a phone-key signature replayed: the same request again, for another code, or for another challenge', async () => {
    const phone = await enrolledOn(service, freshStudent());
    const session = await liveSession(service, { rosterPolicy: 'flag', fallbackCodeEnabled: true });
    const { token, fallbackCode } = await session.screen();
    const proof = challengeProof(phone.phoneKey, token);
    const first = await scanner(service).post('challenge', { token, phone: proof });
    expect(first.status).toBe(200);
    expectRefused(await scanner(service).post('challenge', { token, phone: proof }), 409, 'SCAN_PHONE_REQUEST_REPLAYED');
    // The signature over this token, presented with the typed code (with a fresh nonce it was never made for).
    const moved = { ...challengeProof(phone.phoneKey, token), nonce: 'bm9uY2UtbmV2ZXItc2lnbmVk' };
    expectRefused(await scanner(service).post('challenge', { code: fallbackCode, phone: moved }), 400, 'SCAN_PHONE_SIGNATURE_INVALID');

    const second = await scanner(service).challenge({ token }, phone);
    const signedForFirst = phone.phoneKey.sign('scan-confirm', first.body.challengeId, options(first).challenge);
    const before = await snapshot(service);
    const answer = await scanner(service).post('confirm', { challengeId: second.body.challengeId, assertion: phone.assert(options(second)), phoneSignature: signedForFirst });
    expectRefused(answer, 400, 'SCAN_PHONE_SIGNATURE_INVALID');
    expect(await snapshot(service)).toBe(before);
    session.close();
  });

  it('refuses a challenge request signed by a key other than the phone key it names', async () => {
    const phone = await enrolledOn(service, freshStudent());
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    const { token } = await session.screen();
    const impostor = createTestPhoneKey();
    const forged = { ...challengeProof(impostor, token), keyId: phone.phoneKey.id };
    expectRefused(await scanner(service).post('challenge', { token, phone: forged }), 400, 'SCAN_PHONE_SIGNATURE_INVALID');
    session.close();
  });
});

describe('re-binding a phone whose key is gone', () => {
  it('binds a new phone key with portal sign-in plus the passkey; the old key stops working; audited and shown to the teacher', async () => {
    const student = freshStudent('Relink');
    const original = await enrolledOn(service, student);
    // Site data cleared: same passkey, a new phone key.
    const cleared = withPhoneKey(original, createTestPhoneKey());
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    expectRefused(await scanner(service).challenge({ token: (await session.screen()).token }, cleared), 403, 'SCAN_PHONE_UNKNOWN');

    const device = await enrollment(service, student).rebindWith(cleared);
    expect(device).toMatchObject({ phoneKeyId: cleared.phoneKey.id, rebindsLast30Days: 1 });
    expect((await historyRows(service, student.sub)).map((row) => row.action)).toEqual(['enrolled', 'rebound']);

    expectRefused(await scanner(service).challenge({ token: (await session.screen()).token }, original), 403, 'SCAN_PHONE_UNKNOWN');
    expect((await scanner(service).scan((await session.screen()).token, cleared)).body.outcome).toBe('confirmed');
    const { rows } = await service.db.query<{ alerts: string[] }>('SELECT alerts FROM attendance.validations WHERE session_id = $1', [session.id]);
    expect(rows).toEqual([{ alerts: ['rebound_recently'] }]);
    const overview = await session.teacher.get(`/api/sessions/${session.id}`);
    expect(overview.body.roster.find((r: { studentId: string }) => r.studentId === student.sub).alerts).toEqual(['rebound_recently']);
    session.close();
  });

  it('a re-binding between the challenge and the passkey wins: the old phone is refused, nothing recorded, nothing flagged', async () => {
    const student = freshStudent('Relink');
    const original = await enrolledOn(service, student);
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    // The challenge carries the device as it was read: bound to the original phone.
    const offer = await scanner(service).challenge({ token: (await session.screen()).token }, original);
    expect(offer.status).toBe(200);
    await enrollment(service, student).rebindWith(withPhoneKey(original, createTestPhoneKey()));
    const before = await snapshot(service);
    expectRefused(await scanner(service).confirm(offer, original.assert(options(offer)), original), 403, 'SCAN_WRONG_PHONE');
    expect(await snapshot(service)).toBe(before);
    session.close();
  });

  it('waits ENROLLMENT_REBIND_COOLDOWN_HOURS between re-bindings, and refuses someone else’s passkey', async () => {
    const student = freshStudent();
    const phone = await enrolledOn(service, student);
    await enrollment(service, student).rebindWith(withPhoneKey(phone, createTestPhoneKey()));
    const client = enrollment(service, student);
    const again = await client.rebind(phone.assert((await client.rebindOptions()).body.options), createTestPhoneKey());
    expectRefusal(again, 429, 'ENROLLMENT_REBIND_COOLDOWN_ACTIVE');

    const other = await enrolledOn(service, freshStudent());
    const stranger = enrollment(service, freshStudent());
    expectRefusal(await stranger.rebindOptions(), 409, 'ENROLLMENT_NOTHING_TO_REBIND');
    const victim = enrollment(service, student);
    const wrongPasskey = await victim.rebind(other.assert({ ...(await victim.rebindOptions()).body.options, allowCredentials: [] }), createTestPhoneKey());
    expectRefusal(wrongPasskey, 403, 'ENROLLMENT_REBIND_NOT_YOUR_PASSKEY');
  });
});

describe('ENROLLMENT_SHARED_PHONE=flag and ENROLLMENT_SYNCED_PASSKEYS=flag', () => {
  it('accepts a second student on one phone with an alert on both devices, and every confirmation from it carries the alert', async () => {
    const first = freshStudent('Hermana');
    const second = freshStudent('Hermano');
    const phone = await enrolledOn(lenient, first);
    await enrolledOn(lenient, second, phone);
    const alerts = await lenient.db.query<{ student_id: string; reason: string }>(
      `SELECT d.student_id, a.reason FROM enrollment.device_alerts a JOIN enrollment.devices d ON d.id = a.device_id
       WHERE d.student_id IN ($1, $2) ORDER BY d.student_id`,
      [first.sub, second.sub],
    );
    expect(alerts.rows.map((r) => [r.student_id, r.reason]).sort()).toEqual([[first.sub, 'shared_phone'], [second.sub, 'shared_phone']].sort());

    const session = await liveSession(lenient, { rosterPolicy: 'flag' });
    const { token } = await session.screen();
    const offer = await scanner(lenient).challenge({ token }, phone);
    expect(options(offer).allowCredentials).toHaveLength(2);
    for (const [student, index] of [[first, 0], [second, 1]] as const) {
      const ask = await scanner(lenient).challenge({ token }, phone);
      const answer = await scanner(lenient).confirm(ask, phone.assert(options(ask), { credentialId: phone.credentials()[index]!.id }), phone);
      expect(answer.body.outcome, student.sub).toBe('confirmed');
    }
    const overview = await session.teacher.get(`/api/sessions/${session.id}`);
    for (const student of [first, second]) {
      expect(overview.body.roster.find((r: { studentId: string }) => r.studentId === student.sub).alerts).toEqual(['shared_phone']);
    }
    const csv = await fetch(`${lenient.baseUrl}/asistencia/api/sessions/${session.id}/export?format=csv`, {
      headers: { authorization: `Bearer ${await portalToken(users.teacher)}` },
    });
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toMatch(/;Alertas$/);
    // Both students' rows name the alert in the last column.
    expect(lines.filter((line) => line.endsWith(';teléfono compartido con otro estudiante'))).toHaveLength(2);
    const attention = await apiAs(lenient.baseUrl, users.admin).get('/api/admin/devices/attention');
    expect(attention.body.devices.map((d: { studentId: string }) => d.studentId)).toEqual(expect.arrayContaining([first.sub, second.sub]));
    session.close();
  });

  it('alerts on a synced passkey, and on a re-binding refused past ENROLLMENT_REBINDS_BEFORE_FLAG', async () => {
    const student = freshStudent();
    const phone = await enrolledOn(lenient, student, phoneFor(lenient, { backupEligible: true, backedUp: true }));
    const client = enrollment(lenient, student);
    await client.rebindWith(withPhoneKey(phone, createTestPhoneKey()));
    expectRefusal(await client.rebind(phone.assert((await client.rebindOptions()).body.options), createTestPhoneKey()), 403, 'ENROLLMENT_REBIND_LIMIT_REACHED');
    const [device] = (await client.devices()).body.devices;
    expect(device.alerts.map((a: { reason: string }) => a.reason).sort()).toEqual(['frequent_rebinds', 'synced_passkey']);
    expect(device.rebindsLast30Days).toBe(1);
  });

  it('ENROLLMENT_SYNCED_PASSKEYS=refuse refuses a synced passkey at enrolment', async () => {
    const strict = await startService({ env: { ENROLLMENT_SYNCED_PASSKEYS: 'refuse' } });
    try {
      const client = enrollment(strict, freshStudent());
      const phone = phoneFor(strict, { backupEligible: true });
      expectRefusal(await client.verify(phone.register(await client.grantedOptions()), undefined, phone.phoneKey), 400, 'ENROLLMENT_SYNCED_PASSKEY_REFUSED');
      expect((await client.devices()).body.devices).toEqual([]);
    } finally {
      await strict.stop();
    }
  });
});
