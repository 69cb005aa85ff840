import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { parseCsv } from '../support/csv.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { enrolledPhone, liveSession, scanner } from '../scan/support.js';

/**
 * A course's grade policy (PUT /api/courses/:courseId/grade-policy, audited; domain/grade-policy.ts) against
 * a real PostgreSQL: the course page, the export, the student's own page, the printable report and the grade
 * for the LMS all follow it.
 *
 * Cálculo I (MAT101: Luis 2, María 3, José 4), four sessions:
 * - two weeks ago: Luis and María present (manual), José absent;
 * - a week ago: Luis absent, María excused (justified), José absent;
 * - today, two rounds: Luis confirms round 1 and leaves ("Parcial", for real), María and José absent;
 * - next week: scheduled.
 * So Luis: present, absent, partial, 1 to come; María: present, excused, absent, 1 to come; José: 3 absent, 1 to come.
 */
let service: RunningService;
const teacher = () => apiAs(service.baseUrl, users.teacher);
const day = 24 * 60 * 60_000;

async function plannedSession(daysAgo: number): Promise<string> {
  const start = new Date(Date.now() - daysAgo * day);
  const created = await teacher().post('/api/sessions', draftSession({ plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString() }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

async function heldSession(daysAgo: number, corrections: Array<{ studentIds: string[]; status: string }>): Promise<void> {
  const id = await plannedSession(daysAgo);
  expect((await teacher().post(`/api/sessions/${id}/open`)).status).toBe(200);
  expect((await teacher().post(`/api/sessions/${id}/close`)).status).toBe(200);
  for (const correction of corrections) {
    const marked = await teacher().post(`/api/sessions/${id}/corrections`, { ...correction, reason: 'Lista en papel' });
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
  }
}

beforeAll(async () => {
  service = await startService();
  await heldSession(14, [{ studentIds: ['2', '3'], status: 'manual_present' }]);
  await heldSession(7, [{ studentIds: ['3'], status: 'excused' }]);
  const luis = await enrolledPhone(service, users.student);
  const session = await liveSession(service, { roundsPlanned: 2 });
  expect((await scanner(service).scan((await session.screen()).token, luis)).body.outcome).toBe('confirmed');
  expect((await teacher().post(`/api/sessions/${session.id}/rounds/current/end`)).status).toBe(200);
  const second = await teacher().post(`/api/sessions/${session.id}/rounds`);
  expect(second.status, JSON.stringify(second.body)).toBe(200);
  expect((await teacher().post(`/api/sessions/${session.id}/close`)).status).toBe(200);
  session.close();
  await plannedSession(-7);
});
afterAll(() => service?.stop());

interface Grade {
  score: number | null;
  passes: boolean | null;
}
const coursePage = async () => {
  const { status, body } = await teacher().get('/api/courses/MAT101/attendance');
  expect(status).toBe(200);
  const grade = (id: string): Grade => body.students.find((s: { studentId: string }) => s.studentId === id).grade;
  return { policy: body.policy, luis: grade('2'), maria: grade('3'), jose: grade('4'), body };
};

async function exported(): Promise<Record<string, string>> {
  const response = await fetch(`${service.baseUrl}/asistencia/api/courses/MAT101/export?format=csv`, { headers: { authorization: `Bearer ${await portalToken(users.teacher)}` } });
  const [header, ...rows] = parseCsv((await response.text()).replace(/^\uFEFF/, ''));
  expect(header!.at(-1)).toBe('Nota de asistencia (%)');
  return Object.fromEntries(rows.map((row) => [row[1]!, row.at(-1)!]));
}

const setPolicy = (body: unknown, user: { sub: string; role: string; name: string } = users.teacher) => apiAs(service.baseUrl, user).call('PUT', '/api/courses/MAT101/grade-policy', body);

/** Each policy with the grades computed by hand (percent), and whether each passes the 75 % minimum. */
const table = [
  {
    what: 'default: to date, nothing dropped (the attendance rate)',
    policy: { basis: 'to_date', dropLowest: 0, points: { late: 1, partial: 1 }, absencePenalty: 0 },
    name: 'a la fecha, sin descartar',
    // Luis 2 of 3 (the partial whole); María 1 of 2 (the excused out); José 0 of 3.
    grades: { luis: 66.7, maria: 50, jose: 0 },
  },
  {
    what: 'all scheduled, the lowest dropped, partial half, 10 points per absence',
    policy: { basis: 'all_scheduled', dropLowest: 1, points: { late: 1, partial: 0.5 }, absencePenalty: 10 },
    name: 'sobre todas las clases programadas, descartando la clase más baja, parcial vale 0,5, −10 puntos por ausencia',
    // Luis: his absence dropped, 1 + 0.5 over 2 held + 1 to come = 50. María: her absence dropped, 1 over 1 + 1 = 50.
    // José: one absence dropped, 0 over 2 + 1, minus 2 × 10 points: 0, never below.
    grades: { luis: 50, maria: 50, jose: 0 },
  },
  {
    what: 'to date, partial worth nothing, 5 points per absence',
    policy: { basis: 'to_date', dropLowest: 0, points: { late: 1, partial: 0 }, absencePenalty: 5 },
    name: 'a la fecha, sin descartar, parcial vale 0, −5 puntos por ausencia',
    // Luis: 1 of 3 (a partial worth 0 earns nothing but is no absence) minus his one absence: 33.3 − 5 = 28.3.
    // María: 1 of 2 minus one absence: 50 − 5 = 45.
    grades: { luis: 28.3, maria: 45, jose: 0 },
  },
];

describe('a course’s grade policy', () => {
  it('starts as the default: every grade is the attendance rate, and says so', async () => {
    const { policy, luis, body } = await coursePage();
    expect(policy).toMatchObject({ ...table[0]!.policy, source: 'default', name: { es: 'a la fecha, sin descartar', en: 'to date, nothing dropped' } });
    const luisRow = body.students.find((s: { studentId: string }) => s.studentId === '2');
    expect(luis.score).toBe(luisRow.rate);
  });

  // Checked once: with the default policy in the course page's grades, cases 1 and 2 go red.
  for (const [index, row] of table.entries()) {
    it(`${index}: ${row.what}, the same grade on the course page, in the export, on the student’s page, in the report and for the LMS`, async () => {
      if (index > 0) {
        const set = await setPolicy({ ...row.policy, reason: `Programa del curso, caso ${index}` });
        expect(set.status, JSON.stringify(set.body)).toBe(200);
        expect(set.body).toMatchObject({ ...row.policy, source: 'course', name: { es: row.name } });
      }
      const percent = (grade: Grade) => (grade.score === null ? null : Math.round(grade.score * 1000) / 10);
      const page = await coursePage();
      expect(page.policy.name.es).toBe(row.name);
      expect({ luis: percent(page.luis), maria: percent(page.maria), jose: percent(page.jose) }).toEqual(row.grades);
      expect(page.jose.passes).toBe(false);

      const grades = await exported();
      // In Spanish, with the decimal comma es-CL Excel reads.
      expect(grades['Luis Pérez']).toBe(String(row.grades.luis).replace('.', ','));
      expect(grades['María Gómez']).toBe(String(row.grades.maria).replace('.', ','));

      const own = await apiAs(service.baseUrl, users.student).get('/api/me/attendance');
      const mine = own.body.courses.find((c: { course: { id: string } }) => c.course.id === 'MAT101');
      expect(mine.policy.name.es).toBe(row.name);
      expect(percent(mine.grade)).toBe(row.grades.luis);

      const report = await teacher().get('/api/courses/MAT101/students/3/report');
      expect(report.status).toBe(200);
      expect(percent(report.body.grade)).toBe(row.grades.maria);
      expect(report.body.policy.name.es).toBe(row.name);

      const lms = await service.app.grades.gradeFor('MAT101', '2');
      expect(lms).toMatchObject({ scoreGiven: row.grades.luis, scoreMaximum: 100 });
      expect(lms.comment).toContain(`(política: ${row.name})`);
      expect(lms.comment).toContain('no alcanza el mínimo de 75 %');
    });
  }

  it('folds the partial credit in: late and partial fractions also drive the rate and absences on the course page', async () => {
    // Case 2 is in force: a partial class is worth 0, so Luis attended 1 of 3 and missed 2.
    const luis = (await coursePage()).body.students.find((s: { studentId: string }) => s.studentId === '2');
    expect(luis).toMatchObject({ rate: 1 / 3, attended: 1, absences: 2 });
  });

  it('audits every change with who, from what to what, and why', async () => {
    const { rows } = await service.db.query('SELECT course_id, previous, new, reason, actor_id, actor_role FROM attendance.course_grade_policy_changes ORDER BY id');
    expect(rows).toEqual([
      { course_id: 'MAT101', previous: null, new: table[1]!.policy, reason: 'Programa del curso, caso 1', actor_id: '1', actor_role: 'teacher' },
      { course_id: 'MAT101', previous: table[1]!.policy, new: table[2]!.policy, reason: 'Programa del curso, caso 2', actor_id: '1', actor_role: 'teacher' },
    ]);
  });

  it('is set only by the course’s teacher (or an admin), with valid fields and a reason; a refusal changes nothing', async () => {
    const valid = { ...table[0]!.policy, reason: 'Motivo válido' };
    const other = await setPolicy(valid, users.otherTeacher);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('COURSE_NOT_YOURS');
    expect((await setPolicy(valid, users.student)).status).toBe(403);
    const invalid: unknown[] = [
      { ...valid, basis: 'whole_year' },
      { ...valid, dropLowest: -1 },
      { ...valid, dropLowest: 51 },
      { ...valid, dropLowest: 1.5 },
      { ...valid, points: { late: 1.5, partial: 1 } },
      { ...valid, points: { late: 0.333, partial: 1 } },
      { ...valid, points: { late: 1 } },
      { ...valid, points: { late: 1, partial: 1, present: 1 } },
      { ...valid, absencePenalty: 101 },
      { ...valid, absencePenalty: 2.25 },
      { ...valid, reason: 'ok' },
      { ...valid, extra: 1 },
      { basis: 'to_date', reason: 'Falta el resto' },
    ];
    for (const body of invalid) {
      const refused = await setPolicy(body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await apiAs(service.baseUrl, users.admin).call('PUT', '/api/courses/NOPE/grade-policy', valid)).body.error.code).toBe('DIRECTORY_COURSE_NOT_FOUND');
    expect((await coursePage()).policy).toMatchObject(table[2]!.policy);
    const { rows } = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance.course_grade_policy_changes');
    expect(rows[0]!.n).toBe(2);
  });

  it('an admin may set it; the LMS grade for a student with no class counted says so', async () => {
    expect((await setPolicy({ ...table[0]!.policy, reason: 'Vuelta a la política de la institución' }, users.admin)).status).toBe(200);
    const nobody = await service.app.grades.gradeFor('MAT101', 'not-enrolled');
    expect(nobody).toEqual({ scoreGiven: null, scoreMaximum: 100, comment: 'Nota de asistencia (política: a la fecha, sin descartar); 0 de 0 clases; sin clases que cuenten todavía.' });
  });
});
