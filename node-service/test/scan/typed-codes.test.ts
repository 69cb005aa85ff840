import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Phone } from '../support/phone.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { enrolledPhone, expectRefused, liveSession, scanner } from './support.js';

/**
 * Six digits can be guessed: a client network (an IPv4 address, an IPv6 /64) that keeps typing wrong codes
 * is stopped for the rest of the minute. The requests come from 127.0.0.1, a trusted proxy by default, so
 * X-Forwarded-For says which client each one stands for.
 */
const FAILURES_PER_MINUTE = 3;
let service: RunningService;
let phone: Phone;

beforeAll(async () => {
  service = await startService({ env: { FALLBACK_CODE_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE) } });
  phone = await enrolledPhone(service, users.student);
});
afterAll(() => service?.stop());

describe('guessing typed codes', () => {
  it('stops a network after its wrong codes, right ones included, while other networks and QR codes go on', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true });
    const { token, fallbackCode } = await session.screen();
    const wrong = fallbackCode === '000000' ? '000001' : '000000';

    const guesser = scanner(service, { 'x-forwarded-for': '198.51.100.7' });
    for (let i = 0; i < FAILURES_PER_MINUTE; i += 1) expectRefused(await guesser.challenge({ code: wrong }, phone), 410, 'SCAN_FALLBACK_UNKNOWN');
    const stopped = await guesser.challenge({ code: fallbackCode! }, phone);
    expectRefused(stopped, 429, 'RATE_LIMITED');
    expect(stopped.body.error.message).toMatch(/Espera [1-6]?\d segundos/);

    const classroom = scanner(service, { 'x-forwarded-for': '203.0.113.9' });
    expect((await classroom.challenge({ code: fallbackCode! }, phone)).status).toBe(200);
    expect((await guesser.challenge({ token }, phone)).status).toBe(200);
    session.close();
  });

  it('counts a whole IPv6 /64 as one network', async () => {
    const session = await liveSession(service, { fallbackCodeEnabled: true });
    const { fallbackCode } = await session.screen();
    const wrong = fallbackCode === '000000' ? '000001' : '000000';
    for (let i = 0; i < FAILURES_PER_MINUTE; i += 1) {
      const host = scanner(service, { 'x-forwarded-for': `2001:db8:5:6::${(i + 1).toString(16)}` });
      expectRefused(await host.challenge({ code: wrong }, phone), 410, 'SCAN_FALLBACK_UNKNOWN');
    }
    const neighbour = scanner(service, { 'x-forwarded-for': '2001:db8:5:6:ffff:ffff:ffff:fffe' });
    expectRefused(await neighbour.challenge({ code: fallbackCode! }, phone), 429, 'RATE_LIMITED');
    const otherPrefix = scanner(service, { 'x-forwarded-for': '2001:db8:5:7::1' });
    expect((await otherPrefix.challenge({ code: fallbackCode! }, phone)).status).toBe(200);
    session.close();
  });
});
