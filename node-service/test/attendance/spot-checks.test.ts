import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { parseCsv } from '../support/csv.js';
import type { Phone } from '../support/phone.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { enrolledPhone, liveSession, scanner } from '../scan/support.js';

/**
 * "Llamar al azar" (issue 24): the teacher draws confirmed students to call by name; a "no contesta" takes
 * the session's confirmation away (a 'manual_absent' correction, audited), flags the device that confirmed,
 * survives the student's later confirmations, shows on the roster, the export and the student's own page,
 * and can be undone. Checked by removing each defence once: without 'manual_absent' among the statuses
 * record_confirmations' upsert keeps (database/functions), María's second-round confirmation overwrote the mark
 * (and failed, as the result's override check refused it); without the alert call in
 * application/spot-checks.ts no device was flagged.
 */
let service: RunningService;
let luis: Phone;
let maria: Phone;
const teacher = () => apiAs(service.baseUrl, users.teacher);
const studentIds = { luis: users.student.sub, maria: users.student2.sub };

beforeAll(async () => {
  service = await startService();
  luis = await enrolledPhone(service, users.student);
  maria = await enrolledPhone(service, users.student2);
});
afterAll(() => service?.stop());

const resultOf = async (sessionId: string, studentId: string) =>
  (await service.db.query('SELECT status, computed_status, override_reason FROM attendance.results WHERE session_id = $1 AND student_id = $2', [sessionId, studentId])).rows[0]!;

describe('a spot check', () => {
  it('cannot be drawn before a round, nor by a student or another teacher', async () => {
    const created = await teacher().post('/api/sessions', draftSession());
    const id = created.body.id as string;
    await teacher().post(`/api/sessions/${id}/open`);
    const early = await teacher().post(`/api/sessions/${id}/spot-checks`, { count: 3 });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('SPOT_CHECK_NOT_STARTED');
    expect((await apiAs(service.baseUrl, users.student).post(`/api/sessions/${id}/spot-checks`, { count: 3 })).status).toBe(403);
    const other = await apiAs(service.baseUrl, users.otherTeacher).post(`/api/sessions/${id}/spot-checks`, { count: 3 });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('SESSION_NOT_YOURS');
  });

  it('refuses bad input with a 400 and records nothing', async () => {
    const session = await liveSession(service);
    const before = (await service.db.query('SELECT count(*)::int AS n FROM attendance.spot_checks')).rows[0]!.n;
    for (const body of [{ count: 0 }, { count: 11 }, { count: 2.5 }, { count: '3' }, {}, { count: 3, extra: 1 }]) {
      expect((await session.teacher.post(`/api/sessions/${session.id}/spot-checks`, body)).status, JSON.stringify(body)).toBe(400);
    }
    for (const path of ['abc', '0', '1e3', '-1', '99999999999999999']) {
      const answer = await session.teacher.post(`/api/sessions/${session.id}/spot-checks/${path}/students/2`, { outcome: 'answered' });
      expect(answer.status, path).toBe(400);
    }
    const badMark = await session.teacher.post(`/api/sessions/${session.id}/spot-checks/1/students/2`, { outcome: 'maybe' });
    expect(badMark.status).toBe(400);
    expect((await service.db.query('SELECT count(*)::int AS n FROM attendance.spot_checks')).rows[0]!.n).toBe(before);
    session.close();
  });

  it('calls confirmed students only; "no contesta" takes the confirmation away, flags the device and sticks', async () => {
    const session = await liveSession(service, { roundsPlanned: 2, rotationPeriodMs: 30_000, graceMs: 30_000 });
    const { token } = await session.screen();
    const nobody = await session.teacher.post(`/api/sessions/${session.id}/spot-checks`, { count: 3 });
    expect(nobody.status).toBe(409);
    expect(nobody.body.error.code).toBe('SPOT_CHECK_NOBODY');

    expect((await scanner(service).scan(token, luis)).body.outcome).toBe('confirmed');
    expect((await scanner(service).scan(token, maria)).body.outcome).toBe('confirmed');

    // Both confirmed, José did not: a draw of up to 5 calls exactly Luis and María, during round 1.
    const drawn = await session.teacher.post(`/api/sessions/${session.id}/spot-checks`, { count: 5 });
    expect(drawn.status, JSON.stringify(drawn.body)).toBe(201);
    expect(drawn.body.round).toBe(1);
    expect(drawn.body.calls.map((c: { studentId: string }) => c.studentId).sort()).toEqual([studentIds.luis, studentIds.maria]);
    expect(drawn.body.calls.every((c: { outcome: string }) => c.outcome === 'called')).toBe(true);
    // Nobody is called twice in one session.
    expect((await session.teacher.post(`/api/sessions/${session.id}/spot-checks`, { count: 5 })).body.error.code).toBe('SPOT_CHECK_NOBODY');

    const mark = (studentId: string, body: Record<string, unknown>) =>
      session.teacher.post(`/api/sessions/${session.id}/spot-checks/${drawn.body.id}/students/${studentId}`, body);
    expect((await mark(studentIds.luis, { outcome: 'answered' })).body).toEqual({ previous: 'called', outcome: 'answered' });
    const noReason = await mark(studentIds.maria, { outcome: 'no_answer' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('SPOT_CHECK_REASON_REQUIRED');
    expect((await resultOf(session.id, studentIds.maria)).status).toBe('present');
    expect((await mark('4', { outcome: 'answered' })).status).toBe(404); // José was not called

    const reason = 'No contestó cuando se le llamó por su nombre en clase.';
    expect((await mark(studentIds.maria, { outcome: 'no_answer', reason })).status).toBe(200);
    expect(await resultOf(session.id, studentIds.maria)).toEqual({ status: 'manual_absent', computed_status: 'present', override_reason: reason });
    const audit = await service.db.query('SELECT previous_status, new_status, reason, actor_id, actor_role FROM attendance.corrections WHERE session_id = $1', [session.id]);
    expect(audit.rows).toEqual([{ previous_status: 'present', new_status: 'manual_absent', reason, actor_id: users.teacher.sub, actor_role: 'teacher' }]);
    const alerts = await service.db.query(
      `SELECT d.student_id, a.details FROM enrollment.device_alerts a JOIN enrollment.devices d ON d.id = a.device_id WHERE a.reason = 'spot_check_missed'`,
    );
    expect(alerts.rows).toHaveLength(1);
    expect(alerts.rows[0]!.student_id).toBe(studentIds.maria);
    expect(alerts.rows[0]!.details).toMatchObject({ sessionId: session.id, courseName: expect.any(String), markedBy: users.teacher.sub });
    // The admin's "devices to review" names it.
    const review = await apiAs(service.baseUrl, users.admin).get('/api/admin/devices/attention');
    expect(JSON.stringify(review.body)).toContain('spot_check_missed');

    // The roster says who was called and what was marked.
    const overview = await session.teacher.get(`/api/sessions/${session.id}`);
    const row = (id: string) => overview.body.roster.find((r: { studentId: string }) => r.studentId === id);
    expect(row(studentIds.luis).spotCheck).toBe('answered');
    expect(row(studentIds.maria)).toMatchObject({ spotCheck: 'no_answer', status: 'manual_absent' });
    expect(row('4').spotCheck).toBeNull();

    // María confirms again in round 2: the teacher's mark stands.
    await session.teacher.post(`/api/sessions/${session.id}/rounds/current/end`);
    await session.teacher.post(`/api/sessions/${session.id}/rounds`);
    const second = await session.screen(2);
    expect((await scanner(service).scan(second.token, maria)).body.outcome).toBe('confirmed');
    expect(await resultOf(session.id, studentIds.maria)).toMatchObject({ status: 'manual_absent', computed_status: 'present' });
    await session.teacher.post(`/api/sessions/${session.id}/close`);
    expect(await resultOf(session.id, studentIds.maria)).toMatchObject({ status: 'manual_absent' });

    // María's own page says what happened and what to do.
    const mine = await apiAs(service.baseUrl, users.student2).get('/api/me/attendance');
    const class_ = mine.body.courses.flatMap((c: { sessions: unknown[] }) => c.sessions).find((s: { sessionId: string }) => s.sessionId === session.id);
    expect(class_).toMatchObject({ status: 'manual_absent', spotCheck: 'no_answer' });

    // The session export has the column.
    const csv = await fetch(`${service.baseUrl}/asistencia/api/sessions/${session.id}/export?format=csv`, {
      headers: { authorization: `Bearer ${await portalToken(users.teacher)}`, 'accept-language': 'es' },
    });
    const [header, ...rows] = parseCsv((await csv.text()).replace(/^\uFEFF/, ''));
    const column = header!.indexOf('Llamado al azar');
    expect(column).toBeGreaterThan(0);
    const byName = new Map(rows.map((r) => [r[1], r]));
    expect(byName.get('María Gómez')![column]).toBe('no contestó');
    expect(byName.get('María Gómez')![2]).toBe('Ausente (manual)');
    expect(byName.get('Luis Pérez')![column]).toBe('contestó');

    // Undone (she answered after all): back to what her rounds earn, with a reason, audited.
    expect((await mark(studentIds.maria, { outcome: 'answered' })).body.error.code).toBe('SPOT_CHECK_REASON_REQUIRED');
    expect((await mark(studentIds.maria, { outcome: 'answered', reason: 'Contestó tarde; estaba en la sala.' })).body).toEqual({ previous: 'no_answer', outcome: 'answered' });
    expect(await resultOf(session.id, studentIds.maria)).toEqual({ status: 'present', computed_status: 'present', override_reason: null });
    const checks = await session.teacher.get(`/api/sessions/${session.id}/spot-checks`);
    expect(checks.body.checks).toHaveLength(1);
    expect(checks.body.checks[0].calls.find((c: { studentId: string }) => c.studentId === studentIds.maria)).toMatchObject({ outcome: 'answered', reason: 'Contestó tarde; estaba en la sala.' });
    session.close();
  });

  it('is in the student’s own data', async () => {
    const data = await apiAs(service.baseUrl, users.student2).get('/api/me/data');
    expect(data.status).toBe(200);
    expect(data.body.spotChecks.map((c: { outcome: string }) => c.outcome)).toContain('answered');
  });
});
