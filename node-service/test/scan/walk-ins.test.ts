import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStudent } from '../enrollment/support.js';
import { apiAs } from '../support/api.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { enrolledPhone, liveSession, scanner, validationCount } from './support.js';

/**
 * Walk-ins: students not on the course roster whose confirmation a lenient session accepted with a flag.
 * The roster names them from the portal's directory; the teacher accepts or rejects each one, audited.
 */
let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

describe('walk-ins', () => {
  it('names a walk-in from the directory; the teacher accepts one (flag cleared) and rejects another (confirmations gone), audited', async () => {
    // José is on Cálculo I's roster, not on Física II's: in Pedro's lenient Física II session he is a walk-in.
    const jose = await enrolledPhone(service, users.student3);
    const session = await liveSession(service, { rosterPolicy: 'flag', courseId: 'FIS201' }, users.otherTeacher);
    const outsider = freshStudent('Oyente');
    const outsiderPhone = await enrolledPhone(service, outsider);
    const token = (await session.screen()).token;
    expect((await scanner(service).scan(token, jose)).body).toMatchObject({ outcome: 'confirmed', walkIn: true });
    expect((await scanner(service).scan(token, outsiderPhone)).body).toMatchObject({ outcome: 'confirmed', walkIn: true });
    session.close();
    const pedro = apiAs(service.baseUrl, users.otherTeacher);
    const row = async (id: string) => (await pedro.get(`/api/sessions/${session.id}`)).body.roster.find((r: { studentId: string }) => r.studentId === id);
    // The portal knows José: his real name, not his id. The demo directory does not know the fresh student.
    expect(await row('4')).toMatchObject({ studentName: 'José Núñez', source: 'walk_in', flagged: true });

    const path = (id: string) => `/api/sessions/${session.id}/students/${id}/walk-in`;
    expect((await apiAs(service.baseUrl, users.teacher).post(path('4'), { decision: 'accepted', reason: 'Viene de oyente' })).body.error.code).toBe('SESSION_NOT_YOURS');
    expect((await pedro.post(path('2'), { decision: 'accepted', reason: 'Viene de oyente' })).body.error.code).toBe('WALK_IN_NOT_FOUND');
    const accepted = await pedro.post(path('4'), { decision: 'accepted', reason: 'Viene de oyente' });
    expect(accepted.body).toEqual({ studentId: '4', studentName: 'José Núñez', decision: 'accepted', confirmationsRemoved: 0 });
    expect(await row('4')).toMatchObject({ flagged: false, roundsConfirmed: [1] });

    const rejected = await pedro.post(path(outsider.sub), { decision: 'rejected', reason: 'No es de este curso' });
    expect(rejected.body).toMatchObject({ decision: 'rejected', confirmationsRemoved: 1 });
    expect(await row(outsider.sub)).toBeUndefined();
    expect(await validationCount(service, session.id)).toBe(1);
    const results = await service.db.query('SELECT student_id FROM attendance.results WHERE session_id = $1 ORDER BY student_id', [session.id]);
    expect(results.rows.map((r) => r.student_id)).not.toContain(outsider.sub);
    const audit = await service.db.query(
      'SELECT student_id, decision, reason, confirmations_removed, actor_id FROM attendance.walk_in_reviews WHERE session_id = $1 ORDER BY id',
      [session.id],
    );
    expect(audit.rows).toEqual([
      { student_id: '4', decision: 'accepted', reason: 'Viene de oyente', confirmations_removed: 0, actor_id: '6' },
      { student_id: outsider.sub, decision: 'rejected', reason: 'No es de este curso', confirmations_removed: 1, actor_id: '6' },
    ]);
  });
});
