import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locks, lockStatement } from '../../src/shared/storage/locks.js';
import { enrollment, freshStudent } from '../enrollment/support.js';
import { verifyInDatabase } from '../evidence/support.js';
import { apiAs, type ApiResponse } from '../support/api.js';
import { createTestPhoneKey, withPhoneKey, type Phone } from '../support/phone.js';
import { steppedClock } from '../support/stepped-clock.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { enrolledPhone, expectRefused, liveSession, scanner } from './support.js';

/**
 * Group commit against real PostgreSQL: confirmations that wait for a call (SCAN_BATCH_IN_FLIGHT = 1
 * here) are recorded together by `attendance.record_confirmations` (database/functions), and each is judged
 * exactly as it would be alone. The test holds one session's lock as a round change would, so the first
 * confirmation takes the only call and waits on it; the others, of that session and of another, queue in
 * the service and go as one batch once the lock is let go.
 */
let service: RunningService;

beforeAll(async () => {
  service = await startService({ env: { SCAN_BATCH_IN_FLIGHT: '1' }, clock: steppedClock() });
});
afterAll(() => service?.stop());

async function waitingOnLocks(): Promise<number> {
  const { rows } = await service.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return rows[0]!.n;
}

/** Step one now; step two (the passkey and the phone's signature) later, when the test says. */
async function offerFor(token: string, phone: Phone) {
  const offer = await scanner(service).challenge({ token }, phone);
  expect(offer.status, JSON.stringify(offer.body)).toBe(200);
  return () => scanner(service).confirm(offer, phone.assert(offer.body.options as PublicKeyCredentialRequestOptionsJSON), phone);
}

describe('confirmations recorded together', () => {
  it('answer each student as alone would, commit in one transaction, and keep every receipt', async () => {
    const luis = await enrolledPhone(service, users.student);
    const maria = await enrolledPhone(service, users.student2);
    const jose = await enrolledPhone(service, users.student3);
    const first = freshStudent('Primera');
    const walkIn = freshStudent('Oyente');
    const outsider = freshStudent('Ajeno');
    const firstPhone = await enrolledPhone(service, first);
    const walkInPhone = await enrolledPhone(service, walkIn);
    const outsiderPhone = await enrolledPhone(service, outsider);
    const relinked = freshStudent('Relink');
    const relinkedPhone = await enrolledPhone(service, relinked);

    const lenient = await liveSession(service, { rosterPolicy: 'flag' });
    const strict = await liveSession(service);
    const token = (await lenient.screen()).token;
    const strictToken = (await strict.screen()).token;
    // María confirmed earlier in this round: her second confirmation finds it done.
    expect((await scanner(service).scan(token, maria)).body.outcome).toBe('confirmed');

    const confirms = {
      first: await offerFor(token, firstPhone),
      luis: await offerFor(token, luis),
      walkIn: await offerFor(token, walkInPhone),
      maria: await offerFor(token, maria),
      jose: await offerFor(token, jose),
      outsider: await offerFor(strictToken, outsiderPhone),
      relinked: await offerFor(token, relinkedPhone),
    };
    // This student's passkey is bound to a new phone between the challenge and the confirmation.
    await enrollment(service, relinked).rebindWith(withPhoneKey(relinkedPhone, createTestPhoneKey()));
    // José's passkey is revoked (by an admin: he lost the phone) between his challenge and his confirmation.
    const [joseDevice] = (await apiAs(service.baseUrl, users.student3).get('/api/enrollment/devices')).body.devices;
    expect((await apiAs(service.baseUrl, users.admin).post(`/api/admin/devices/${joseDevice.id}/revoke`, { reason: 'Perdió el teléfono' })).status).toBe(200);

    const holder = new pg.Client({ connectionString: (service.config.database as { url: string }).url });
    await holder.connect();
    let answers: Record<keyof typeof confirms, ApiResponse>;
    try {
      await holder.query('BEGIN');
      await holder.query(lockStatement(locks.session, lenient.id));
      const firstAnswer = confirms.first();
      const deadline = Date.now() + 5000;
      while ((await waitingOnLocks()) < 1) {
        if (Date.now() > deadline) throw new Error('the first confirmation never waited on the session lock');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const rest = (['luis', 'walkIn', 'maria', 'jose', 'outsider', 'relinked'] as const).map((name) => confirms[name]());
      // Their requests reach the service and queue behind the one call in flight.
      await new Promise((resolve) => setTimeout(resolve, 400));
      await holder.query('COMMIT');
      const [a, luisAnswer, walkInAnswer, mariaAnswer, joseAnswer, outsiderAnswer, relinkedAnswer] = await Promise.all([firstAnswer, ...rest]);
      answers = {
        first: a!,
        luis: luisAnswer!,
        walkIn: walkInAnswer!,
        maria: mariaAnswer!,
        jose: joseAnswer!,
        outsider: outsiderAnswer!,
        relinked: relinkedAnswer!,
      };
    } finally {
      await holder.end();
    }

    expect(answers.first.body).toMatchObject({ outcome: 'confirmed', walkIn: true, round: 1 });
    expect(answers.luis.body).toMatchObject({ outcome: 'confirmed', walkIn: false, round: 1, session: { id: lenient.id } });
    expect(answers.walkIn.body).toMatchObject({ outcome: 'confirmed', walkIn: true, round: 1 });
    expect(answers.maria.body).toMatchObject({ outcome: 'already_confirmed', walkIn: false });
    expectRefused(answers.jose, 403, 'SCAN_DEVICE_REVOKED');
    expectRefused(answers.outsider, 403, 'SCAN_NOT_ON_ROSTER');
    expectRefused(answers.relinked, 403, 'SCAN_WRONG_PHONE');

    // The batch was one transaction: Luis's and the walk-in's validations share it, the first one's is its own.
    const validations = await service.db.query<{ student_id: string; tx: string }>(
      'SELECT student_id, xmin::text AS tx FROM attendance.validations WHERE session_id = $1',
      [lenient.id],
    );
    const txOf = Object.fromEntries(validations.rows.map((r) => [r.student_id, r.tx]));
    expect(Object.keys(txOf).sort()).toEqual([first.sub, users.student.sub, users.student2.sub, walkIn.sub].sort());
    expect(txOf[users.student.sub]).toBe(txOf[walkIn.sub]);
    expect(txOf[first.sub]).not.toBe(txOf[users.student.sub]);

    // Results, walk-in registration, counters and receipts as a confirmation alone leaves them.
    const results = await service.db.query('SELECT student_id, rounds_confirmed FROM attendance.results WHERE session_id = $1 ORDER BY student_id', [lenient.id]);
    // José is on the roster: his row stays at no round confirmed.
    expect(results.rows).toEqual(
      [first.sub, users.student.sub, users.student2.sub, users.student3.sub, walkIn.sub]
        .sort()
        .map((student_id) => ({ student_id, rounds_confirmed: student_id === users.student3.sub ? 0 : 1 })),
    );
    const registration = await service.db.query('SELECT source, flagged FROM attendance.registrations WHERE session_id = $1 AND student_id = $2', [lenient.id, walkIn.sub]);
    expect(registration.rows).toEqual([{ source: 'walk_in', flagged: true }]);
    const receipts = await service.db.query<{ student_id: string; challenge_id: string }>(
      'SELECT student_id, challenge_id FROM evidence.receipts WHERE session_id = $1 ORDER BY id',
      [lenient.id],
    );
    expect(receipts.rows.map((r) => r.student_id).sort()).toEqual([first.sub, users.student.sub, users.student2.sub, walkIn.sub].sort());
    const luisReceipt = receipts.rows.find((r) => r.student_id === users.student.sub)!;
    expect(luisReceipt.challenge_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const joseRow = await service.db.query('SELECT state, sign_count FROM enrollment.devices WHERE id = $1', [joseDevice.id]);
    expect(joseRow.rows).toEqual([{ state: 'revoked', sign_count: 0 }]);
    expect((await service.db.query('SELECT 1 FROM attendance.validations WHERE session_id = $1', [strict.id])).rowCount).toBe(0);
    const counters = await service.db.query<{ sign_count: number }>(
      `SELECT d.sign_count FROM enrollment.devices d WHERE d.student_id = $1 AND d.state = 'active'`,
      [walkIn.sub],
    );
    expect(counters.rows[0]!.sign_count).toBeGreaterThan(0);

    // And the receipts of the batch chain and verify like any other.
    expect(await verifyInDatabase(service, { sessionId: lenient.id })).toEqual({ sessions: 1, receipts: 4, problems: [] });
    lenient.close();
    strict.close();
  });

  it('give each phone asking at once its own passkeys when their lookups go together', async () => {
    const students = [freshStudent('Grupo'), freshStudent('Grupo'), freshStudent('Grupo'), freshStudent('Grupo')];
    const phones: Phone[] = [];
    for (const student of students) phones.push(await enrolledPhone(service, student));
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    const token = (await session.screen()).token;
    const holder = new pg.Client({ connectionString: (service.config.database as { url: string }).url });
    await holder.connect();
    let offers: ApiResponse[];
    try {
      // The devices table locked: the first lookup takes the only call and waits; the others queue behind it.
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE enrollment.devices IN ACCESS EXCLUSIVE MODE');
      const first = scanner(service).challenge({ token }, phones[0]!);
      const deadline = Date.now() + 5000;
      while ((await waitingOnLocks()) < 1) {
        if (Date.now() > deadline) throw new Error('the first lookup never waited on the lock');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const rest = phones.slice(1).map((phone) => scanner(service).challenge({ token }, phone));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query('COMMIT');
      offers = await Promise.all([first, ...rest]);
    } finally {
      await holder.end();
    }
    offers.forEach((offer, i) => {
      expect(offer.status, JSON.stringify(offer.body)).toBe(200);
      const allowed = (offer.body.options as PublicKeyCredentialRequestOptionsJSON).allowCredentials?.map((c) => c.id);
      expect(allowed).toEqual(phones[i]!.credentials().map((c) => c.id));
    });
    const confirmed = await Promise.all(
      offers.map((offer, i) => scanner(service).confirm(offer, phones[i]!.assert(offer.body.options as PublicKeyCredentialRequestOptionsJSON), phones[i]!)),
    );
    expect(confirmed.map((answer) => answer.body.outcome)).toEqual(['confirmed', 'confirmed', 'confirmed', 'confirmed']);
    session.close();
  });
});
