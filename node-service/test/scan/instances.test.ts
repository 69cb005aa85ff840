import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwoInstances, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { enrolledPhone, liveSession, projectorFor, scanner } from './support.js';

/**
 * Two instances sharing PostgreSQL and Valkey, as behind Apache's balancer: a challenge taken on one is
 * confirmed on the other, and a confirmation through either moves the count on a projector of the other.
 */
let pair: Awaited<ReturnType<typeof startTwoInstances>>;
let a: RunningService;
let b: RunningService;

beforeAll(async () => {
  pair = await startTwoInstances({ PUBLIC_URL: 'http://localhost:9500' });
  ({ a, b } = pair);
});
afterAll(() => pair?.stop());

describe('two instances', () => {
  it('a challenge from one instance is confirmed on the other, and the projector on the first sees the count', async () => {
    const phone = await enrolledPhone(a, users.student);
    const session = await liveSession(a);
    const { token } = await session.screen();
    const offer = await scanner(a).challenge({ token }, phone);
    const answer = await scanner(b).confirm(offer, phone.assert(offer.body.options), phone);
    expect(answer.body).toMatchObject({ outcome: 'confirmed', round: 1 });
    expect(await session.projector.next('count', 1000)).toMatchObject({ confirmed: 1, expected: 3 });

    // The challenge is spent on both instances.
    const replay = await scanner(a).confirm(offer, phone.assert(offer.body.options), phone);
    expect(replay.body.error.code).toBe('SCAN_CHALLENGE_INVALID');
    session.close();
  });

  it('a confirmation through instance B moves the count on projectors of both instances within a second', async () => {
    const phone = await enrolledPhone(b, users.student2);
    const session = await liveSession(a);
    const onB = await projectorFor(b, session.id);
    const { token } = await session.screen();
    expect((await scanner(b).scan(token, phone)).body.outcome).toBe('confirmed');
    // "Within a second" is the product's promise, so it is the bound here: next() fails after 1 s.
    const [countA, countB] = await Promise.all([session.projector.next('count', 1000), onB.next('count', 1000)]);
    expect(countA).toMatchObject({ confirmed: 1 });
    expect(countB).toMatchObject({ confirmed: 1 });
    session.close();
    onB.close();
  });
});
