import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../support/api.js';
import { parseCsv } from '../support/csv.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { enrolledPhone, liveSession, scanner } from '../scan/support.js';

/**
 * What a partial class is worth, as the course chooses (PUT /api/courses/:courseId/partial-credit, audited):
 * Luis confirms round 1 of a two-round class of Cálculo I and leaves: "Parcial". Counted whole by default,
 * half or not at all once his teacher says so, in the course page, his own standing and the course export.
 */
let service: RunningService;

const teacher = () => apiAs(service.baseUrl, users.teacher);

beforeAll(async () => {
  service = await startService();
  const luis = await enrolledPhone(service, users.student);
  const session = await liveSession(service, { roundsPlanned: 2 });

  expect((await scanner(service).scan((await session.screen()).token, luis)).body.outcome).toBe('confirmed');
  expect((await teacher().post(`/api/sessions/${session.id}/rounds/current/end`)).status).toBe(200);
  const second = await teacher().post(`/api/sessions/${session.id}/rounds`);
  expect(second.status, JSON.stringify(second.body)).toBe(200);
  expect((await teacher().post(`/api/sessions/${session.id}/close`)).status).toBe(200);
  session.close();
});
afterAll(() => service?.stop());

const luisIn = async () => {
  const { body } = await teacher().get('/api/courses/MAT101/attendance');
  return { credit: body.minimum.partialCredit, luis: body.students.find((s: { studentId: string }) => s.studentId === '2'), session: body.sessions[0] };
};

async function exportedRate(): Promise<string> {
  const response = await fetch(`${service.baseUrl}/asistencia/api/courses/MAT101/export?format=csv`, { headers: { authorization: `Bearer ${await portalToken(users.teacher)}` } });
  const rows = parseCsv((await response.text()).replace(/^\uFEFF/, ''));
  return rows.find((row) => row[1] === 'Luis Pérez')!.at(-1)!;
}

const setCredit = (body: unknown, user: { sub: string; role: string; name: string } = users.teacher) => apiAs(service.baseUrl, user).call('PUT', '/api/courses/MAT101/partial-credit', body);

describe('a partial class', () => {
  it('counts as a whole class by default', async () => {
    const { credit, luis, session } = await luisIn();
    expect(credit).toBe('full');
    expect(luis).toMatchObject({ rate: 1, attended: 1, absences: 0, totals: expect.objectContaining({ partial: 1 }) });
    expect(session.rate).toBe(1 / 3); // María and José missed it
    expect(await exportedRate()).toBe('100');
  });

  it('counts as half a class once the teacher says so: course page, export and Luis’s own page (checked once: red without the credit in the standing)', async () => {
    const set = await setCredit({ credit: 'half', reason: 'Reglamento de la carrera, art. 12' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ partialCredit: 'half', percent: 75 });
    const { luis, session } = await luisIn();
    expect(luis).toMatchObject({ rate: 0.5, attended: 0.5, absences: 0.5 });
    expect(session.rate).toBeCloseTo(0.5 / 3);
    expect(await exportedRate()).toBe('50');
    const own = await apiAs(service.baseUrl, users.student).get('/api/me/attendance');
    expect(own.status).toBe(200);
    expect(own.body.courses.find((c: { course: { id: string } }) => c.course.id === 'MAT101').rate).toBe(0.5);
  });

  it('counts as an absence with none; every change is audited with who, what and why', async () => {
    expect((await setCredit({ credit: 'none', reason: 'Cambio del consejo de carrera' })).status).toBe(200);
    expect((await luisIn()).luis).toMatchObject({ rate: 0, attended: 0, absences: 1 });
    const { rows } = await service.db.query('SELECT course_id, previous, new, reason, actor_id, actor_role FROM attendance.course_partial_credit_changes ORDER BY id');
    expect(rows).toEqual([
      { course_id: 'MAT101', previous: 'full', new: 'half', reason: 'Reglamento de la carrera, art. 12', actor_id: '1', actor_role: 'teacher' },
      { course_id: 'MAT101', previous: 'half', new: 'none', reason: 'Cambio del consejo de carrera', actor_id: '1', actor_role: 'teacher' },
    ]);
  });

  it('is set only by the course’s teacher (or an admin), with a valid choice and a reason; a refusal changes nothing', async () => {
    const other = await setCredit({ credit: 'full', reason: 'No es mi curso' }, users.otherTeacher);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('COURSE_NOT_YOURS');
    expect((await setCredit({ credit: 'full', reason: 'Soy estudiante' }, users.student)).status).toBe(403);
    expect((await setCredit({ credit: 'quarter', reason: 'Un cuarto' })).status).toBe(400);
    expect((await setCredit({ credit: 'full' })).status).toBe(400);
    expect((await setCredit({ credit: 'full', reason: 'ok' })).status).toBe(400);
    expect((await setCredit({ credit: 'full', reason: 'Motivo válido', extra: 1 })).status).toBe(400);
    expect((await apiAs(service.baseUrl, users.admin).call('PUT', '/api/courses/NOPE/partial-credit', { credit: 'full', reason: 'Curso que no existe' })).body.error.code).toBe('DIRECTORY_COURSE_NOT_FOUND');
    expect((await luisIn()).credit).toBe('none');
    const { rows } = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance.course_partial_credit_changes');
    expect(rows[0]!.n).toBe(2);
  });
});
