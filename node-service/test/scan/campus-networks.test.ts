import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStudent } from '../enrollment/support.js';
import { steppedClock } from '../support/stepped-clock.js';
import { startService, type RunningService } from '../support/service.js';
import { enrolledPhone, expectRefused, liveSession, scanner } from './support.js';

/**
 * Campus networks by default (issue 24): CAMPUS_NETWORKS applies to every session that lists no networks of
 * its own, so a live video of the projector is useless off campus unless the teacher chose otherwise. A
 * session's own list replaces it (another room's network, a narrower one, or 0.0.0.0/0 and ::/0 for
 * anywhere). Checked by removing the default once (shared/networks.ts sessionNetworks returning the
 * session's list alone): the session without networks then confirmed from home.
 */
const CAMPUS = '198.51.100.0/24';
let service: RunningService;

beforeAll(async () => {
  service = await startService({ env: { CAMPUS_NETWORKS: `${CAMPUS},2001:db8:100::/48` }, clock: steppedClock() });
});
afterAll(() => service?.stop());

const from = (address: string) => scanner(service, { 'x-forwarded-for': address });

describe('CAMPUS_NETWORKS', () => {
  it('applies to a session that lists no networks: on campus confirms, from home is refused', async () => {
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    const atHome = await enrolledPhone(service, freshStudent('En casa'));
    const inClass = await enrolledPhone(service, freshStudent('En clase'));
    expectRefused(await from('203.0.113.40').challenge({ token: (await session.screen()).token }, atHome), 403, 'SCAN_NETWORK_REFUSED');
    expect((await from('198.51.100.40').scan((await session.screen()).token, inClass)).body.outcome).toBe('confirmed');
    expect((await from('2001:db8:100:7::5').scan((await session.screen()).token, atHome)).body.outcome).toBe('confirmed');
    const config = (await fetch(`${service.baseUrl}/asistencia/client-config`).then((answer) => answer.json())) as { campusNetworks: string[] };
    expect(config.campusNetworks).toEqual([CAMPUS, '2001:db8:100::/48']);
    session.close();
  });

  it("is replaced by a session's own networks, and off campus needs the teacher's explicit choice", async () => {
    const phone = await enrolledPhone(service, freshStudent());
    const annex = await liveSession(service, { rosterPolicy: 'flag', allowedNetworks: ['203.0.113.0/24'] });
    expectRefused(await from('198.51.100.41').challenge({ token: (await annex.screen()).token }, phone), 403, 'SCAN_NETWORK_REFUSED');
    expect((await from('203.0.113.41').scan((await annex.screen()).token, phone)).body.outcome).toBe('confirmed');
    annex.close();

    const anywhere = await liveSession(service, { rosterPolicy: 'flag', allowedNetworks: ['0.0.0.0/0', '::/0'] });
    const elsewhere = await enrolledPhone(service, freshStudent());
    expect((await from('192.0.2.41').scan((await anywhere.screen()).token, elsewhere)).body.outcome).toBe('confirmed');
    anywhere.close();
  });
});
