import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { enrolledPhone, liveSession, scanner, validationCount } from './support.js';

/**
 * `npm start` with no settings runs on PGlite and the in-process store: the confirmation statement, the
 * status rule and the round columns of migration 003 must hold there as on PostgreSQL.
 */
describe('scan and confirm on the embedded stores (PGlite and the in-process store)', () => {
  let embedded: RunningService;
  beforeAll(async () => {
    embedded = await startService({ embedded: true });
  });
  afterAll(() => embedded?.stop());

  it('confirms once, answers a repeat as already confirmed, and keeps the result through the close', async () => {
    const phone = await enrolledPhone(embedded, users.student);
    const session = await liveSession(embedded);
    const { token } = await session.screen();
    expect((await scanner(embedded).scan(token, phone)).body).toMatchObject({ outcome: 'confirmed', round: 1, walkIn: false });
    expect((await scanner(embedded).scan(token, phone)).body.outcome).toBe('already_confirmed');
    expect(await validationCount(embedded, session.id)).toBe(1);

    expect((await session.teacher.post(`/api/sessions/${session.id}/close`)).status).toBe(200);
    const { rows } = await embedded.db.query(
      'SELECT student_id, status, rounds_confirmed::int AS rounds_confirmed, is_final FROM attendance.results WHERE session_id = $1 ORDER BY student_id',
      [session.id],
    );
    expect(rows).toEqual([
      { student_id: '2', status: 'present', rounds_confirmed: 1, is_final: true },
      { student_id: '3', status: 'absent', rounds_confirmed: 0, is_final: true },
      { student_id: '4', status: 'absent', rounds_confirmed: 0, is_final: true },
    ]);
    session.close();
  });
});
