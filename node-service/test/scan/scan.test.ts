import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Phone } from '../support/phone.js';
import { enrollment, freshStudent, phoneFor } from '../enrollment/support.js';
import { steppedClock } from '../support/stepped-clock.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { behindSessionLock, enrolledPhone, expectRefused, liveSession, reachServerTime, scanner, validationCount } from './support.js';

/**
 * Scan and confirm against real PostgreSQL and Valkey, with a software authenticator producing real
 * WebAuthn assertions: a live QR code plus the student's own passkey, and every way it must refuse.
 */
/** Shorter than the default (20 s) so that a test can outlive it. */
const FALLBACK_CODE_TTL_SECONDS = 5;
let service: RunningService;
let luis: Phone;
let maria: Phone;

beforeAll(async () => {
  service = await startService({ env: { FALLBACK_CODE_TTL_SECONDS: String(FALLBACK_CODE_TTL_SECONDS) }, clock: steppedClock() });
  luis = await enrolledPhone(service, users.student);
  maria = await enrolledPhone(service, users.student2);
});
afterAll(() => service?.stop());

describe('the scan', () => {
  it('confirms a student with a live code and their passkey, committed before the answer; the projector count moves', async () => {
    const session = await liveSession(service);
    const { token } = await session.screen();
    const offer = await scanner(service).challenge({ token }, luis);
    expect(offer.status).toBe(200);
    // The options name the phone's own passkey: the phone shows no account picker.
    expect(offer.body.options).toMatchObject({ userVerification: 'required', rpId: 'localhost' });
    expect(offer.body.options.allowCredentials).toEqual([expect.objectContaining({ id: luis.credentials()[0]!.id, type: 'public-key' })]);
    expect(offer.body.session).toEqual({ courseName: 'Cálculo I', room: 'Aula 204', round: 1 });

    const assertion = luis.assert(offer.body.options as PublicKeyCredentialRequestOptionsJSON);
    const answer = await scanner(service).confirm(offer, assertion, luis);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ outcome: 'confirmed', round: 1, walkIn: false, session: { courseName: 'Cálculo I' } });

    const { rows } = await service.db.query('SELECT student_id, round FROM attendance.validations WHERE session_id = $1', [session.id]);
    expect(rows).toEqual([{ student_id: '2', round: 1 }]);
    const result = await service.db.query('SELECT status, rounds_confirmed FROM attendance.results WHERE session_id = $1 AND student_id = $2', [session.id, '2']);
    expect(result.rows).toEqual([{ status: 'present', rounds_confirmed: 1 }]);
    // The device's use is committed with the confirmation: its counter moved forward, its last use is now.
    const used = await service.db.query<{ sign_count: number; recent: boolean }>(
      `SELECT sign_count::int AS sign_count, last_used_at > now() - interval '1 minute' AS recent FROM enrollment.devices WHERE student_id = '2'`,
    );
    expect(used.rows).toEqual([{ sign_count: 1, recent: true }]);
    expect(await session.projector.next('count')).toMatchObject({ round: 1, confirmed: 1, expected: 3 });
    session.close();
  });

  it('answers "already confirmed" to a repeat in the same round and changes nothing', async () => {
    const session = await liveSession(service);
    const { token } = await session.screen();
    expect((await scanner(service).scan(token, maria)).body.outcome).toBe('confirmed');
    const again = await scanner(service).scan(token, maria);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('already_confirmed');
    expect(await validationCount(service, session.id)).toBe(1);
    session.close();
  });

  it('uses a challenge once, however many race for it', async () => {
    const session = await liveSession(service);
    const { token } = await session.screen();
    const offer = await scanner(service).challenge({ token }, luis);
    const assertion = luis.assert(offer.body.options as PublicKeyCredentialRequestOptionsJSON);
    const answers = await Promise.all(Array.from({ length: 5 }, () => scanner(service).confirm(offer, assertion, luis)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const refused of answers.filter((a) => a.status !== 200)) expectRefused(refused, 410, 'SCAN_CHALLENGE_INVALID');
    expect(await validationCount(service, session.id)).toBe(1);
    session.close();
  });

  it('refuses a code older than period + grace, and a made-up one', async () => {
    const session = await liveSession(service, { rotationPeriodMs: 1000, graceMs: 1000 });
    const { token, expiresAt } = await session.screen();
    await reachServerTime(service, expiresAt);
    expectRefused(await scanner(service).challenge({ token }, luis), 410, 'SCAN_CODE_EXPIRED');
    expectRefused(await scanner(service).challenge({ token: 'AAAAAAAAAAAAAAAAAAAAAA' }, luis), 410, 'SCAN_CODE_EXPIRED');
    session.close();
  });

  it('leads the typed fallback code to the same passkey step', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true });
    const { fallbackCode } = await session.screen();
    expect(fallbackCode).toMatch(/^\d{6}$/);
    const offer = await scanner(service).challenge({ code: fallbackCode! }, luis);
    expect(offer.status).toBe(200);
    const answer = await scanner(service).confirm(offer, luis.assert(offer.body.options), luis);
    expect(answer.body.outcome).toBe('confirmed');
    const wrong = fallbackCode === '000000' ? '000001' : '000000';
    expectRefused(await scanner(service).challenge({ code: wrong }, luis), 410, 'SCAN_FALLBACK_UNKNOWN');
    session.close();
  });

  it('gives a typed fallback code FALLBACK_CODE_TTL_SECONDS from when it appeared, long after its QR code, then no more', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true, rotationPeriodMs: 1000, graceMs: 0 });
    const { token, fallbackCode, slot, expiresAt } = await session.screen();
    await reachServerTime(service, expiresAt + 500); // the student is still typing; the QR code stopped scanning
    expectRefused(await scanner(service).challenge({ token }, luis), 410, 'SCAN_CODE_EXPIRED');
    const offer = await scanner(service).challenge({ code: fallbackCode! }, maria);
    expect(offer.status, JSON.stringify(offer.body)).toBe(200);
    expect(offer.body.session.round).toBe(1);

    await reachServerTime(service, slot * 1000 + FALLBACK_CODE_TTL_SECONDS * 1000);
    expectRefused(await scanner(service).challenge({ code: fallbackCode! }, luis), 410, 'SCAN_FALLBACK_UNKNOWN');
    // The challenge obtained in time still leads to the confirmation.
    const answer = await scanner(service).confirm(offer, maria.assert(offer.body.options), maria);
    expect(answer.body.outcome).toBe('confirmed');
    session.close();
  });

  it('ends every typed fallback code of a round when the round ends, not only the codes still on screen', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true, rotationPeriodMs: 1000, graceMs: 0 });
    const { fallbackCode, expiresAt } = await session.screen();
    await reachServerTime(service, expiresAt + 1500); // two rotations later
    await session.teacher.post(`/api/sessions/${session.id}/rounds/current/end`);
    expectRefused(await scanner(service).challenge({ code: fallbackCode! }, luis), 410, 'SCAN_FALLBACK_UNKNOWN');
    session.close();
  });
});

describe('refusals, each with its own code, changing nothing', () => {
  it('refuses a phone that was never enrolled, and a passkey that was never enrolled, and tells how to enrol', async () => {
    const session = await liveSession(service);
    const stranger = phoneFor(service);
    stranger.register({
      challenge: 'AAAA',
      rp: { id: 'localhost', name: 'Asistencia' },
      user: { id: 'MjAwMA', name: 'x', displayName: 'x' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    const { token } = await session.screen();
    const unknownPhone = await scanner(service).challenge({ token }, stranger);
    expectRefused(unknownPhone, 403, 'SCAN_PHONE_UNKNOWN');
    expect(unknownPhone.body.error.message).toMatch(/Registrar mi llave/);
    // An enrolled phone answering with a passkey nobody enrolled.
    const offer = await scanner(service).challenge({ token }, luis);
    const answer = await scanner(service).confirm(offer, stranger.assert({ challenge: offer.body.options.challenge, rpId: 'localhost' }), luis);
    expectRefused(answer, 403, 'SCAN_DEVICE_NOT_ENROLLED');
    expect(answer.body.error.message).toMatch(/Registra tu teléfono/);
    expect(await validationCount(service, session.id)).toBe(0);
    session.close();
  });

  it('refuses an assertion without user verification', async () => {
    const session = await liveSession(service);
    expectRefused(await scanner(service).scan((await session.screen()).token, luis, { userVerified: false }), 400, 'SCAN_USER_VERIFICATION_REQUIRED');
    expect(await validationCount(service, session.id)).toBe(0);
    session.close();
  });

  it('refuses an assertion made for another origin or another challenge', async () => {
    const session = await liveSession(service);
    const { token } = await session.screen();
    expectRefused(await scanner(service).scan(token, luis, { origin: 'https://evil.example' }), 400, 'SCAN_ASSERTION_INVALID');
    expectRefused(await scanner(service).scan(token, luis, { challenge: 'c29tZXRoaW5nLWVsc2U' }), 400, 'SCAN_ASSERTION_INVALID');
    expect(await validationCount(service, session.id)).toBe(0);
    session.close();
  });

  it('refuses a session that closed between the challenge and the passkey', async () => {
    const session = await liveSession(service);
    const offer = await scanner(service).challenge({ token: (await session.screen()).token }, luis);
    await session.teacher.post(`/api/sessions/${session.id}/close`);
    expectRefused(await scanner(service).confirm(offer, luis.assert(offer.body.options), luis), 409, 'SCAN_SESSION_CLOSED');
    expect(await validationCount(service, session.id)).toBe(0);
    session.close();
  });

  it('refuses a round that ended between the challenge and the passkey', async () => {
    const session = await liveSession(service);
    const offer = await scanner(service).challenge({ token: (await session.screen()).token }, luis);
    await session.teacher.post(`/api/sessions/${session.id}/rounds/current/end`);
    expectRefused(await scanner(service).confirm(offer, luis.assert(offer.body.options), luis), 409, 'SCAN_ROUND_NOT_OPEN');
    session.close();
  });

  it('refuses a confirmation that waited while the teacher ended its round: it is judged after the teacher commits', async () => {
    const session = await liveSession(service);
    const offer = await scanner(service).challenge({ token: (await session.screen()).token }, luis);
    const answers = await behindSessionLock(service, session.id, [
      () => session.teacher.post(`/api/sessions/${session.id}/rounds/current/end`),
      () => scanner(service).confirm(offer, luis.assert(offer.body.options), luis),
    ]);
    expect(answers[0]!.status).toBe(200);
    expectRefused(answers[1]!, 409, 'SCAN_ROUND_NOT_OPEN');
    expect(await validationCount(service, session.id)).toBe(0);
    session.close();
  });

  it('refuses a confirmation that waited while the teacher closed the session', async () => {
    const session = await liveSession(service);
    const offer = await scanner(service).challenge({ token: (await session.screen()).token }, maria);
    const answers = await behindSessionLock(service, session.id, [
      () => session.teacher.post(`/api/sessions/${session.id}/close`),
      () => scanner(service).confirm(offer, maria.assert(offer.body.options), maria),
    ]);
    expect(answers[0]!.status).toBe(200);
    expectRefused(answers[1]!, 409, 'SCAN_SESSION_CLOSED');
    expect(await validationCount(service, session.id)).toBe(0);
    session.close();
  });

  it('refuses a student who is not on the roster, or accepts and flags them when the session says so', async () => {
    const outsider = freshStudent('Oyente');
    const phone = await enrolledPhone(service, outsider);
    const strict = await liveSession(service);
    expectRefused(await scanner(service).scan((await strict.screen()).token, phone), 403, 'SCAN_NOT_ON_ROSTER');
    expect(await validationCount(service, strict.id)).toBe(0);
    strict.close();

    const lenient = await liveSession(service, { rosterPolicy: 'flag' });
    const answer = await scanner(service).scan((await lenient.screen()).token, phone);
    expect(answer.body).toMatchObject({ outcome: 'confirmed', walkIn: true });
    const { rows } = await service.db.query('SELECT source, flagged FROM attendance.registrations WHERE session_id = $1 AND student_id = $2', [lenient.id, outsider.sub]);
    expect(rows).toEqual([{ source: 'walk_in', flagged: true }]);
    const overview = await lenient.teacher.get(`/api/sessions/${lenient.id}`);
    expect(overview.body.roster.find((r: { studentId: string }) => r.studentId === outsider.sub)).toMatchObject({ flagged: true, roundsConfirmed: [1] });
    lenient.close();
  });

  it('refuses a revoked passkey', async () => {
    const jose = users.student3;
    const phone = await enrolledPhone(service, jose);
    const student = enrollment(service, jose);
    const [device] = (await student.devices()).body.devices;
    await student.revokeWith(phone, device.id, 'Ya no uso este teléfono');
    const session = await liveSession(service);
    // Refused as soon as its phone asks: the phone's only passkey is revoked.
    expectRefused(await scanner(service).challenge({ token: (await session.screen()).token }, phone), 403, 'SCAN_DEVICE_REVOKED');
    session.close();
  });

  it('lets only one of two copies of a passkey signing with the same counter at the same moment through, and flags it', async () => {
    const cloned = freshStudent('Gemelo');
    const phone = await enrolledPhone(service, cloned);
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    const { token } = await session.screen();
    const [first, second] = await Promise.all([scanner(service).challenge({ token }, phone), scanner(service).challenge({ token }, phone)]);
    const original = phone.assert(first!.body.options);
    const copy = phone.assert(second!.body.options, { signCount: 1 }); // the copy's counter is the original's
    const answers = await Promise.all([
      scanner(service).confirm(first!, original, phone),
      scanner(service).confirm(second!, copy, phone),
    ]);
    const outcomes = answers.map((a) => a.body.outcome ?? a.body.error.code).sort();
    expect(outcomes).toEqual(['SCAN_COUNTER_REGRESSED', 'confirmed']);
    const { rows } = await service.db.query('SELECT state, sign_count::int AS sign_count FROM enrollment.devices WHERE student_id = $1', [cloned.sub]);
    expect(rows).toEqual([{ state: 'flagged', sign_count: 1 }]);
    expect(await validationCount(service, session.id)).toBe(1);
    session.close();
  });

  it('refuses and flags a passkey whose sign counter goes backwards (a clone)', async () => {
    const cloned = freshStudent('Clonado');
    const phone = await enrolledPhone(service, cloned);
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    const { token } = await session.screen();
    expect((await scanner(service).scan(token, phone)).body.outcome).toBe('confirmed');
    const replayed = await scanner(service).scan(token, phone, { signCount: 1 });
    expectRefused(replayed, 403, 'SCAN_COUNTER_REGRESSED');
    const { rows } = await service.db.query('SELECT state, flagged_reason FROM enrollment.devices WHERE student_id = $1', [cloned.sub]);
    expect(rows).toEqual([{ state: 'flagged', flagged_reason: 'sign_counter_backwards' }]); // a code the pages word in the reader's language
    const history = await service.db.query(`SELECT actor_role FROM enrollment.enrollment_history WHERE student_id = $1 AND action = 'flagged'`, [cloned.sub]);
    expect(history.rows).toEqual([{ actor_role: 'system' }]);
    // A blocked passkey is refused as soon as its phone asks.
    expectRefused(await scanner(service).challenge({ token }, phone), 403, 'SCAN_DEVICE_FLAGGED');
    session.close();
  });

  it('validates the body: no student id can be slipped in, malformed assertions are 4xx', async () => {
    const session = await liveSession(service);
    const offer = await scanner(service).challenge({ token: (await session.screen()).token }, luis);
    const assertion = luis.assert(offer.body.options);
    const withStudent = await fetch(`${service.baseUrl}/asistencia/api/scan/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ challengeId: offer.body.challengeId, assertion, studentId: '3' }),
    });
    expect(withStudent.status).toBe(400);
    expect(((await withStudent.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    const garbled = { ...assertion, response: { ...assertion.response, authenticatorData: 'AAAA', signature: 'AAAA' } };
    const second = await scanner(service).challenge({ token: (await session.screen()).token }, luis);
    expectRefused(await scanner(service).confirm(second, garbled, luis), 400, 'SCAN_ASSERTION_INVALID');
    expectRefused(await scanner(service).challenge({ token: 'not base64url!' } as never, luis), 400, 'VALIDATION_FAILED');
    expect(await validationCount(service, session.id)).toBe(0);
    session.close();
  });
});

describe('campus networks', () => {
  it('refuses an address outside the session networks; believes the proxy’s forwarded address only from TRUST_PROXY', async () => {
    const session = await liveSession(service, { allowedNetworks: ['10.20.0.0/16'] });
    const { token } = await session.screen();
    expectRefused(await scanner(service).challenge({ token }, luis), 403, 'SCAN_NETWORK_REFUSED');
    // The request comes from 127.0.0.1, a trusted proxy by default: its X-Forwarded-For is the client.
    const onCampus = scanner(service, { 'x-forwarded-for': '10.20.30.40' });
    expect((await onCampus.scan(token, maria)).body.outcome).toBe('confirmed');
    session.close();

    const untrusting = await startService({ env: { TRUST_PROXY: '192.0.2.1' } });
    try {
      const phone = await enrolledPhone(untrusting, users.student);
      const elsewhere = await liveSession(untrusting, { allowedNetworks: ['10.20.0.0/16'] });
      const forged = scanner(untrusting, { 'x-forwarded-for': '10.20.30.40' });
      expectRefused(await forged.challenge({ token: (await elsewhere.screen()).token }, phone), 403, 'SCAN_NETWORK_REFUSED');
      elsewhere.close();
    } finally {
      await untrusting.stop();
    }
  });
});
