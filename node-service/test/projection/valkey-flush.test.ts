import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolledCrowd, scanOnce } from '../faults/support.js';
import { liveSession } from '../scan/support.js';
import type { Phone } from '../support/phone.js';
import { startService, type RunningService } from '../support/service.js';
import { startOwnValkey, type OwnValkey } from '../support/valkey-server.js';

/**
 * Issue 25, item 4: after Valkey lost its data (FLUSHALL), the projector kept showing a code the service
 * refused until the next rotation (100 of 200 students told "code expired"). Now each projecting instance
 * notices within PROJECTION_LOSS_CHECK_MS (its sentinel key is gone) and sends a new code for the slot on
 * screen at once. Real PostgreSQL and a redis-server of this test's own (FLUSHALL would wipe every other
 * test's keys on the shared one). A period of 30 s: only the re-mint, not a rotation, can send another code
 * of the same slot before it ends. Checked by removing the check (`watchForLoss` arming nothing): no frame
 * of the slot on screen came again before its end.
 */
let valkey: OwnValkey;
let service: RunningService;
let phones: Phone[];

beforeAll(async () => {
  valkey = await startOwnValkey();
  service = await startService({ env: { VALKEY_URL: valkey.url } });
  phones = await enrolledCrowd(service, 2);
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await valkey?.stop();
});

describe('Valkey flushed while a projector shows a code', () => {
  it('the slot on screen gets a new code at once, and that code is accepted', async () => {
    const session = await liveSession(service, { rosterPolicy: 'flag', rotationPeriodMs: 30_000 });
    const shown = await session.screen();

    await valkey.client().flushall();
    const refused = await scanOnce(service, shown.token, phones[0]!);
    expect(refused?.status).not.toBe(200);

    // The frames that follow, until one of the slot on screen (a frame of the next slot may come first).
    let frame;
    do frame = await session.projector.next('qr', Math.max(1, shown.expiresAt - Date.now()));
    while (frame.slot !== shown.slot);
    const token = String(frame.url).split('#')[1]!;
    expect(token).not.toBe(shown.token);

    const outcomes = await Promise.all(phones.map((phone) => scanOnce(service, token, phone)));
    expect(outcomes.map((outcome) => [outcome?.status, outcome?.body?.outcome ?? outcome?.body?.error?.code])).toEqual(
      phones.map(() => [200, 'confirmed']),
    );
    session.close();
  }, 90_000);
});
