import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStudent } from '../enrollment/support.js';
import { startService, type RunningService } from '../support/service.js';
import { enrolledPhone, expectRefused, liveSession, scanner } from './support.js';

/**
 * Budgets that spare the innocent (issue 24), with the default settings: a classroom behind one NAT shares
 * one client address. The address's scan budget (RATE_LIMIT_SCAN_PER_MINUTE, 6,000) counts only challenge
 * requests that enrolled phones signed; made-up phone keys spend their own, smaller budget
 * (RATE_LIMIT_SCAN_UNKNOWN_PHONE_PER_MINUTE, 300); wrong typed codes are counted per phone
 * (FALLBACK_CODE_FAILURES_PER_MINUTE, 10) before the address's high ceiling. Checked by removing each
 * defence once: spending the address budget for unknown keys (network-budgets.ts) turned the classmate's
 * scan into a 429, and so did counting typed codes per network first (typed-code-failures.ts).
 */
let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

/** A well-formed challenge request from a phone key nobody enrolled: a made-up key id and signature. */
const madeUpPhone = () => ({
  keyId: randomBytes(32).toString('base64url'),
  nonce: randomBytes(16).toString('base64url'),
  signature: randomBytes(64).toString('base64url'),
});

describe('one address shared by a classroom and a stranger', () => {
  it('6,000 challenge requests with made-up phone keys do not stop a classmate’s real scan from that address', async () => {
    const session = await liveSession(service, { rosterPolicy: 'flag', rotationPeriodMs: 30_000, graceMs: 30_000 });
    const nat = { 'x-forwarded-for': '198.51.100.50' };
    const classmate = await enrolledPhone(service, freshStudent('Compañera'));
    const shown = await session.screen();
    const { token } = shown;

    const statuses: number[] = [];
    for (let sent = 0; sent < 6000; sent += 200) {
      const batch = await Promise.all(Array.from({ length: 200 }, () => scanner(service, nat).post('challenge', { token, phone: madeUpPhone() })));
      statuses.push(...batch.map((answer) => answer.status));
    }
    // The unknown keys were told "unknown phone" until their own budget ran out, then 429.
    expect(statuses.filter((status) => status === 403)).toHaveLength(300);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5700);

    // The code is live for a period and its grace (60 s): the classmate scans the one on screen, or the next
    // one if the flood took most of that (the projector is sent a new frame only at the next rotation).
    const onScreen = shown.expiresAt - Date.now() > 10_000 ? token : (await session.screen()).token;
    const answer = await scanner(service, nat).scan(onScreen, classmate);
    expect(answer.body.outcome, JSON.stringify(answer.body)).toBe('confirmed');
    session.close();
  }, 300_000);

  it('10 wrong typed codes from one student stop that phone, not a classmate typing the right code', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true, rotationPeriodMs: 30_000, graceMs: 30_000 });
    const { fallbackCode } = await session.screen();
    const wrong = fallbackCode === '000000' ? '000001' : '000000';
    const nat = scanner(service, { 'x-forwarded-for': '198.51.100.51' });
    const guesser = await enrolledPhone(service, freshStudent('Adivina'));
    const classmate = await enrolledPhone(service, freshStudent('Compañero'));

    for (let i = 0; i < 10; i += 1) expectRefused(await nat.challenge({ code: wrong }, guesser), 410, 'SCAN_FALLBACK_UNKNOWN');
    expectRefused(await nat.challenge({ code: fallbackCode! }, guesser), 429, 'RATE_LIMITED');

    expect((await nat.challenge({ code: fallbackCode! }, classmate)).status).toBe(200);
    session.close();
  });
});
