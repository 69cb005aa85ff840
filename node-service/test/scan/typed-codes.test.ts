import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steppedClock } from '../support/stepped-clock.js';
import { startService, type RunningService } from '../support/service.js';
import { freshStudent } from '../enrollment/support.js';
import { users } from '../support/tokens.js';
import { enrolledPhone, expectRefused, liveSession, scanner } from './support.js';

/**
 * Six digits can be guessed: a phone that keeps typing wrong codes is stopped for the rest of the minute,
 * and a client network (an IPv4 address, an IPv6 /64) past a higher ceiling too. The requests come from
 * 127.0.0.1, a trusted proxy by default, so X-Forwarded-For says which client each one stands for.
 */
const FAILURES_PER_MINUTE = 3;
const FAILURES_PER_NETWORK_PER_MINUTE = 5;
const PER_NETWORK_PER_MINUTE = 150;
const PER_PHONE_PER_MINUTE = 400;
let service: RunningService;

beforeAll(async () => {
  service = await startService({
    env: {
      FALLBACK_CODE_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE),
      FALLBACK_CODE_FAILURES_PER_ADDRESS_PER_MINUTE: String(FAILURES_PER_NETWORK_PER_MINUTE),
      RATE_LIMIT_SCAN_PER_MINUTE: String(PER_NETWORK_PER_MINUTE),
      SCAN_REQUESTS_PER_PHONE_PER_MINUTE: String(PER_PHONE_PER_MINUTE),
    },
    clock: steppedClock(),
  });
});
afterAll(() => service?.stop());

describe('guessing typed codes', () => {
  it('stops a phone after its wrong codes, right ones included, while classmates on its network and its QR codes go on', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true });
    const { token, fallbackCode } = await session.screen();
    const wrong = fallbackCode === '000000' ? '000001' : '000000';
    const phone = await enrolledPhone(service, users.student);
    const classmate = await enrolledPhone(service, freshStudent());

    const guesser = scanner(service, { 'x-forwarded-for': '198.51.100.7' });
    for (let i = 0; i < FAILURES_PER_MINUTE; i += 1) expectRefused(await guesser.challenge({ code: wrong }, phone), 410, 'SCAN_FALLBACK_UNKNOWN');
    const stopped = await guesser.challenge({ code: fallbackCode! }, phone);
    expectRefused(stopped, 429, 'RATE_LIMITED');
    expect(stopped.body.error.message).toMatch(/Espera [1-6]?\d segundos/);

    // Checked by counting per network first (the old rule): the classmate then got 429.
    expect((await guesser.challenge({ code: fallbackCode! }, classmate)).status).toBe(200);
    expect((await guesser.challenge({ token }, phone)).status).toBe(200);
    session.close();
  });

  it('stops a network past FALLBACK_CODE_FAILURES_PER_ADDRESS_PER_MINUTE, counting a whole IPv6 /64 as one', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true });
    const { fallbackCode } = await session.screen();
    const wrong = fallbackCode === '000000' ? '000001' : '000000';
    const guessers = [await enrolledPhone(service, freshStudent()), await enrolledPhone(service, freshStudent())];
    const phone = await enrolledPhone(service, freshStudent());
    for (let i = 0; i < FAILURES_PER_NETWORK_PER_MINUTE; i += 1) {
      const host = scanner(service, { 'x-forwarded-for': `2001:db8:5:6::${(i + 1).toString(16)}` });
      expectRefused(await host.challenge({ code: wrong }, guessers[i % 2]!), 410, 'SCAN_FALLBACK_UNKNOWN');
    }
    const neighbour = scanner(service, { 'x-forwarded-for': '2001:db8:5:6:ffff:ffff:ffff:fffe' });
    expectRefused(await neighbour.challenge({ code: fallbackCode! }, phone), 429, 'RATE_LIMITED');
    const otherPrefix = scanner(service, { 'x-forwarded-for': '2001:db8:5:7::1' });
    expect((await otherPrefix.challenge({ code: fallbackCode! }, phone)).status).toBe(200);
    session.close();
  });
});

describe('limits that hold under concurrency and spare the innocent', () => {
  it('evaluates no more wrong codes than the budget when 300 arrive at once (counted before they are looked at)', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true });
    const { fallbackCode } = await session.screen();
    const wrong = fallbackCode === '000000' ? '000001' : '000000';
    const phone = await enrolledPhone(service, freshStudent());
    const guesser = scanner(service, { 'x-forwarded-for': '198.51.100.99' });
    const answers = await Promise.all(Array.from({ length: 300 }, () => guesser.challenge({ code: wrong }, phone)));
    // Checked by counting after the look-up instead (the old order): 410s then outnumbered the budget.
    expect(answers.filter((a) => a.status === 410)).toHaveLength(FAILURES_PER_MINUTE);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(300 - FAILURES_PER_MINUTE);
    session.close();
  });

  it('gives a right typed code its attempt back: a classroom typing the right code never uses up the budget', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true });
    const { fallbackCode } = await session.screen();
    const wrong = fallbackCode === '000000' ? '000001' : '000000';
    const classroom = scanner(service, { 'x-forwarded-for': '198.51.100.100' });
    const phone = await enrolledPhone(service, freshStudent());
    for (let i = 0; i < FAILURES_PER_MINUTE - 1; i += 1) expectRefused(await classroom.challenge({ code: wrong }, phone), 410, 'SCAN_FALLBACK_UNKNOWN');
    for (let i = 0; i < 10; i += 1) expect((await classroom.challenge({ code: fallbackCode! }, phone)).status).toBe(200);
    expectRefused(await classroom.challenge({ code: wrong }, phone), 410, 'SCAN_FALLBACK_UNKNOWN');
    expectRefused(await classroom.challenge({ code: fallbackCode! }, phone), 429, 'RATE_LIMITED');
    session.close();
  });

  it('does not let junk from a shared address lock the classmates behind it out', async () => {
    // A code that outlives the junk and the scan on a loaded machine (its 3-second one once expired first).
    const session = await liveSession(service, { rosterPolicy: 'flag', rotationPeriodMs: 30_000, graceMs: 30_000 });
    const nat = { 'x-forwarded-for': '198.51.100.101' };
    const phone = await enrolledPhone(service, freshStudent());
    const junk = await Promise.all(Array.from({ length: PER_NETWORK_PER_MINUTE * 2 }, () => scanner(service, nat).post('challenge', { junk: true })));
    expect(new Set(junk.map((a) => a.status))).toEqual(new Set([400]));
    // Checked by counting on arrival (the rate limit's default hook): this scan then answered 429.
    expect((await scanner(service, nat).scan((await session.screen()).token, phone)).body.outcome).toBe('confirmed');
    session.close();
  });

  it('stops a network past RATE_LIMIT_SCAN_PER_MINUTE requests its enrolled phones signed', async () => {
    const session = await liveSession(service, { rosterPolicy: 'flag', rotationPeriodMs: 30_000, graceMs: 30_000 });
    const hall = scanner(service, { 'x-forwarded-for': '198.51.100.103' });
    const phones = [await enrolledPhone(service, freshStudent()), await enrolledPhone(service, freshStudent())];
    const { token } = await session.screen();
    for (let i = 0; i < PER_NETWORK_PER_MINUTE; i += 1) expect((await hall.challenge({ token }, phones[i % 2]!)).status).toBe(200);
    expectRefused(await hall.challenge({ token }, phones[0]!), 429, 'RATE_LIMITED');
    // Another network is not stopped.
    expect((await scanner(service, { 'x-forwarded-for': '198.51.100.104' }).challenge({ token }, phones[0]!)).status).toBe(200);
    session.close();
  });

  it("limits each phone on its own: one phone's requests do not spend a classmate's", async () => {
    // A code that lives through the whole loop (30 s and as much grace).
    const session = await liveSession(service, { rosterPolicy: 'flag', rotationPeriodMs: 30_000, graceMs: 30_000 });
    const room = scanner(service, { 'x-forwarded-for': '198.51.100.102' });
    const busy = await enrolledPhone(service, freshStudent());
    const phone = await enrolledPhone(service, freshStudent());
    const { token } = await session.screen();
    // Spread over networks, so that only the phone's own budget can stop it.
    const somewhere = (i: number) => scanner(service, { 'x-forwarded-for': `203.0.113.${i % 200}` });
    // Ten at a time: 400 one after the other outlasted the test's time on a loaded machine.
    for (let first = 0; first < PER_PHONE_PER_MINUTE; first += 10) {
      const batch = Array.from({ length: Math.min(10, PER_PHONE_PER_MINUTE - first) }, (_, k) => somewhere(first + k).challenge({ token }, busy));
      expect((await Promise.all(batch)).map((answer) => answer.status)).toEqual(batch.map(() => 200));
    }
    expectRefused(await room.challenge({ token }, busy), 429, 'RATE_LIMITED');
    expect((await room.challenge({ token }, phone)).status).toBe(200);
    session.close();
  });
});
