import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { enrolledPhone, liveSession, scanner } from './support.js';
import { VALKEY_URL } from '../support/environment.js';
import type { Phone } from '../support/phone.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { startValkeyProxy, type ValkeyProxy } from '../support/valkey-proxy.js';

// Issue 25: a scan challenge made 7 Valkey round trips one after another, a confirmation 3, so 200 ms added
// to Valkey made a scan take seconds. The service reaches Valkey through a TCP proxy that records each write
// the service makes: ioredis writes the commands of one tick (auto-pipelining) in one write and waits for
// their answers before a command that depends on them, so the writes that carry a scan's keys are its round
// trips. Other traffic (projector rotations, the latency probe) carries none of those keys. Checked by
// putting back one sequential command: the count goes up and these assertions fail. Before (c070bf0): a
// challenge 7 round trips (8 commands), a typed code's 10 (12), a confirmation 3.

const valkey = new URL(VALKEY_URL);
let proxy: ValkeyProxy;
let service: RunningService;
let phone: Phone;

beforeAll(async () => {
  proxy = await startValkeyProxy({ host: valkey.hostname, port: Number(valkey.port || 6379) });
  service = await startService({ env: { VALKEY_URL: proxy.url } });
  phone = await enrolledPhone(service, users.student);
});
afterAll(async () => {
  await service?.stop();
  await proxy?.close();
});

/** The writes (round trips) and commands the service sent to Valkey for `step`, by the keys they carry. */
async function valkeyWork<T>(markers: string[], step: () => Promise<T>) {
  proxy.record();
  const result = await step();
  return { result, roundTrips: proxy.roundTrips(...markers), commands: proxy.commands(...markers) };
}

test('a scan challenge takes at most 2 Valkey round trips, its confirmation at most 2', async () => {
  const session = await liveSession(service, { rotationPeriodMs: 30_000, graceMs: 30_000, fallbackCodeEnabled: true });
  const { token, fallbackCode } = await session.screen();
  const student = scanner(service);
  // The scan's own keys: everything under scan:, and the code it presents.
  const markers = ['scan:', `qr:token:${token}`, `qr:fallback:${fallbackCode}`];

  // Twice: the second request of the same phone also finds its first use (the sharing rules read it), and
  // the first may carry the script's source (EVAL, then EVALSHA on that connection).
  for (const attempt of [1, 2]) {
    const challenge = await valkeyWork(markers, () => student.challenge({ token }, phone));
    expect(challenge.result.status, JSON.stringify(challenge.result.body)).toBe(200);
    const assertion = phone.assert(challenge.result.body.options as PublicKeyCredentialRequestOptionsJSON);
    const confirm = await valkeyWork([...markers, String(challenge.result.body.challengeId)], () => student.confirm(challenge.result, assertion, phone));
    expect(confirm.result.status, JSON.stringify(confirm.result.body)).toBe(200);
    expect(confirm.result.body.outcome).toBe(attempt === 1 ? 'confirmed' : 'already_confirmed');
    expect(challenge.roundTrips, `scan ${attempt}: the challenge's round trips (${challenge.commands} commands)`).toBeLessThanOrEqual(2);
    expect(confirm.roundTrips, `scan ${attempt}: the confirmation's round trips (${confirm.commands} commands)`).toBeLessThanOrEqual(2);
  }

  // The typed fallback code: the same two round trips (its attempt is counted and given back in the script).
  const typed = await valkeyWork(markers, () => student.challenge({ code: fallbackCode! }, phone));
  expect(typed.result.status, JSON.stringify(typed.result.body)).toBe(200);
  expect(typed.roundTrips, `typed code: the challenge's round trips (${typed.commands} commands)`).toBeLessThanOrEqual(2);
  session.close();
});
