import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStudent } from '../enrollment/support.js';
import { apiAs } from '../support/api.js';
import type { Phone } from '../support/phone.js';
import { steppedClock } from '../support/stepped-clock.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { enrolledPhone, expectRefused, liveSession, scanner } from './support.js';

/**
 * One phone, one place, one moment (issue 24): a student who scripts a passkey and a phone key can hand both
 * to a friend, and no web page can tell the copy from the phone. What the copy cannot hide is being used
 * from another client network within SHARING_WINDOW_SECONDS, at the same moment as the original, or for a
 * student already confirmed in the round from elsewhere. Each raises `shared_device` on the device (in the
 * admin's "devices to review", with times and networks) and on the student's row; SHARING_POLICY=refuse
 * also refuses that use. Here one Phone object used from two addresses is exactly such a copy. Each rule was
 * removed once and its test went red: two places (domain/sharing.ts twoPlaces), two at once (the marker in
 * sharing-watch.ts), confirmed twice (confirmedTwice), and the refusal (scan.ts sharedUse).
 */
let flagging: RunningService;
let refusing: RunningService;
/** Only the round rule: the windows are off, so a second confirmation from elsewhere meets that rule alone. */
let roundsOnly: RunningService;

beforeAll(async () => {
  [flagging, refusing, roundsOnly] = await Promise.all([
    startService({ clock: steppedClock() }),
    startService({ env: { SHARING_POLICY: 'refuse' }, clock: steppedClock() }),
    startService({ env: { SHARING_POLICY: 'refuse', SHARING_WINDOW_SECONDS: '0', SHARING_SIMULTANEOUS_MS: '0' }, clock: steppedClock() }),
  ]);
});
afterAll(() => Promise.all([flagging?.stop(), refusing?.stop(), roundsOnly?.stop()]));

const from = (on: RunningService, address: string) => scanner(on, { 'x-forwarded-for': address });
const options = (offer: { body: { options: unknown } }) => offer.body.options as PublicKeyCredentialRequestOptionsJSON;

/** The device's shared_device alert as "devices to review" shows it: its evidence. */
async function sharedAlert(on: RunningService, studentId: string) {
  const attention = await apiAs(on.baseUrl, users.admin).get('/api/admin/devices/attention');
  const device = attention.body.devices.find((d: { studentId: string }) => d.studentId === studentId);
  return device?.alerts.find((a: { reason: string }) => a.reason === 'shared_device')?.details;
}

async function rosterAlerts(session: Awaited<ReturnType<typeof liveSession>>, studentId: string): Promise<string[]> {
  const overview = await session.teacher.get(`/api/sessions/${session.id}`);
  return overview.body.roster.find((r: { studentId: string }) => r.studentId === studentId)?.alerts ?? [];
}

describe('SHARING_POLICY=flag (the default)', () => {
  it('a scripted device used from two addresses within the window is alerted, with the evidence; both uses go on', async () => {
    const student = freshStudent('Guion');
    const phone = await enrolledPhone(flagging, student);
    const session = await liveSession(flagging, { rosterPolicy: 'flag' });
    expect((await from(flagging, '198.51.100.20').scan((await session.screen()).token, phone)).body.outcome).toBe('confirmed');
    expect(await sharedAlert(flagging, student.sub)).toBeUndefined();

    // The friend's copy, at home: its challenge is served, and the device is alerted with both places.
    const home = from(flagging, '203.0.113.77');
    const offer = await home.challenge({ token: (await session.screen()).token }, phone);
    expect(offer.status).toBe(200);
    const evidence = await sharedAlert(flagging, student.sub);
    expect(evidence).toMatchObject({ kind: 'two_places', refused: false, sessionId: session.id, round: 1 });
    expect(evidence.uses.map((use: { network: string }) => use.network)).toEqual(['198.51.100.20', '203.0.113.77']);
    expect(evidence.uses.every((use: { at: string }) => !Number.isNaN(Date.parse(use.at)))).toBe(true);
    expect(await rosterAlerts(session, student.sub)).toContain('shared_device');
    // Its confirmation finds the student confirmed from elsewhere: the latest evidence says so.
    expect((await home.confirm(offer, phone.assert(options(offer)), phone)).body.outcome).toBe('already_confirmed');
    expect(await sharedAlert(flagging, student.sub)).toMatchObject({ kind: 'confirmed_twice', refused: false });
    session.close();
  });

  it('two challenges at once from one device are alerted', async () => {
    const student = freshStudent('Gemela');
    const phone = await enrolledPhone(flagging, student);
    const session = await liveSession(flagging, { rosterPolicy: 'flag' });
    const { token } = await session.screen();
    const room = from(flagging, '198.51.100.21');
    const both = await Promise.all([room.challenge({ token }, phone), room.challenge({ token }, phone)]);
    expect(both.map((answer) => answer.status)).toEqual([200, 200]);
    expect(await sharedAlert(flagging, student.sub)).toMatchObject({ kind: 'two_at_once' });
    session.close();
  });

  it('different students from one address never alert by themselves', async () => {
    const students = [freshStudent('Uno'), freshStudent('Dos'), freshStudent('Tres')];
    const phones: Phone[] = [];
    for (const student of students) phones.push(await enrolledPhone(flagging, student));
    const session = await liveSession(flagging, { rosterPolicy: 'flag' });
    const nat = from(flagging, '198.51.100.22');
    const answers = await Promise.all(phones.map(async (phone) => nat.scan((await session.screen()).token, phone)));
    expect(answers.map((answer) => answer.body.outcome)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    for (const student of students) {
      expect(await sharedAlert(flagging, student.sub)).toBeUndefined();
      expect(await rosterAlerts(session, student.sub)).toEqual([]);
    }
    session.close();
  });
});

describe('SHARING_POLICY=refuse', () => {
  it('refuses the use from a second address within the window, and alerts the device and the student’s row', async () => {
    const student = freshStudent('Guion');
    const phone = await enrolledPhone(refusing, student);
    const session = await liveSession(refusing, { rosterPolicy: 'flag' });
    expect((await from(refusing, '198.51.100.30').scan((await session.screen()).token, phone)).body.outcome).toBe('confirmed');

    expectRefused(await from(refusing, '203.0.113.78').challenge({ token: (await session.screen()).token }, phone), 403, 'SCAN_DEVICE_SHARED');
    expect(await sharedAlert(refusing, student.sub)).toMatchObject({ kind: 'two_places', refused: true });
    expect(await rosterAlerts(session, student.sub)).toContain('shared_device');
    // The first place goes on: the refused use did not become the device's latest.
    expect((await from(refusing, '198.51.100.30').challenge({ token: (await session.screen()).token }, phone)).status).toBe(200);
    session.close();
  });

  it('of two challenges at once, serves one and refuses the other', async () => {
    const student = freshStudent('Gemela');
    const phone = await enrolledPhone(refusing, student);
    const session = await liveSession(refusing, { rosterPolicy: 'flag' });
    const { token } = await session.screen();
    const room = from(refusing, '198.51.100.31');
    const both = await Promise.all([room.challenge({ token }, phone), room.challenge({ token }, phone)]);
    expect(both.map((answer) => answer.status).sort()).toEqual([200, 403]);
    expect(both.find((answer) => answer.status === 403)!.body.error.code).toBe('SCAN_DEVICE_SHARED');
    expect(await sharedAlert(refusing, student.sub)).toMatchObject({ kind: 'two_at_once', refused: true });
    session.close();
  });

  it('refuses confirming a student already confirmed in the round from another address', async () => {
    const student = freshStudent('Dos lugares');
    const phone = await enrolledPhone(roundsOnly, student);
    const session = await liveSession(roundsOnly, { rosterPolicy: 'flag' });
    expect((await from(roundsOnly, '198.51.100.32').scan((await session.screen()).token, phone)).body.outcome).toBe('confirmed');

    const elsewhere = from(roundsOnly, '203.0.113.79');
    const offer = await elsewhere.challenge({ token: (await session.screen()).token }, phone);
    expect(offer.status).toBe(200);
    expectRefused(await elsewhere.confirm(offer, phone.assert(options(offer)), phone), 403, 'SCAN_DEVICE_SHARED');
    expect(await sharedAlert(roundsOnly, student.sub)).toMatchObject({ kind: 'confirmed_twice', refused: true });
    expect(await rosterAlerts(session, student.sub)).toContain('shared_device');
    // From the same address, a second scan is only "already confirmed".
    expect((await from(roundsOnly, '198.51.100.32').scan((await session.screen()).token, phone)).body.outcome).toBe('already_confirmed');
    session.close();
  });
});
