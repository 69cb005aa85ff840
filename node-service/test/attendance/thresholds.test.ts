import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { libreOfficeOpensCsv, parseCsv } from '../support/csv.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * The course minimum (ATTENDANCE_MIN_RATE, overridable per course by its teacher, audited), the teacher's
 * "at risk" list as JSON and CSV, and the student's standing, against a real PostgreSQL.
 *
 * Cálculo I (MAT101: Luis 2, María 3, José 4), four sessions planned: three held and closed (Luis present in
 * all three, María in two, José in none; presence set by audited manual corrections), one still scheduled.
 * Default minimum 75 %: four planned allow one absence.
 */
let service: RunningService;
const teacher = () => apiAs(service.baseUrl, users.teacher);
const day = 24 * 60 * 60_000;

async function session(daysAgo: number): Promise<string> {
  const start = new Date(Date.now() - daysAgo * day);
  const created = await teacher().post('/api/sessions', draftSession({ plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString() }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

/** A class held and closed: everyone absent but those marked present by the teacher. */
async function heldSession(daysAgo: number, present: string[]): Promise<string> {
  const id = await session(daysAgo);
  expect((await teacher().post(`/api/sessions/${id}/open`)).status).toBe(200);
  expect((await teacher().post(`/api/sessions/${id}/close`)).status).toBe(200);
  const marked = await teacher().post(`/api/sessions/${id}/corrections`, { studentIds: present, status: 'manual_present', reason: 'Lista en papel' });
  expect(marked.status, JSON.stringify(marked.body)).toBe(200);
  return id;
}

async function atRisk(query = '', user: { sub: string; role: string; name: string } = users.teacher, language = 'es') {
  const response = await fetch(`${service.baseUrl}/asistencia/api/courses/MAT101/at-risk${query}`, {
    headers: { authorization: `Bearer ${await portalToken(user)}`, 'accept-language': language },
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, text: bytes.toString('utf8') };
}

const riskOf = async () => {
  const { status, text } = await atRisk();
  expect(status, text).toBe(200);
  return JSON.parse(text) as { minimum: { percent: number; source: string }; students: Array<{ studentId: string; reason: string; absencesLeft: number; rate: number }> };
};
const minimumRows = async () => (await service.db.query('SELECT course_id, min_rate_percent::float8 AS percent FROM attendance.course_minimums')).rows;
const auditRows = async () =>
  (await service.db.query('SELECT course_id, previous_percent::float8 AS previous, new_percent::float8 AS new, reason, actor_id FROM attendance.course_minimum_changes ORDER BY id')).rows;

beforeAll(async () => {
  service = await startService();
  await heldSession(21, ['2', '3']);
  await heldSession(14, ['2', '3']);
  await heldSession(7, ['2']);
  await session(-7);
});
afterAll(() => service?.stop());

describe('the at-risk list', () => {
  it('as JSON: out of reach or at the last absences, with the numbers behind it; whoever has missed nothing is left out', async () => {
    const body = await riskOf();
    expect(body.minimum).toEqual({ percent: 75, source: 'default', defaultPercent: 75 });
    expect(body).toMatchObject({ course: { id: 'MAT101', name: 'Cálculo I' }, plannedSessions: 4, scheduledSessions: 1 });
    // Three classes counted: the term is young (ATTENDANCE_EARLY_TERM_SESSIONS 5), so no pace is judged.
    // María has missed one and has none left (at most ATTENDANCE_WARN_MARGIN 2); José's three absences are
    // more than four planned classes can hold.
    expect(body.students.map((s) => [s.studentId, s.reason])).toEqual([
      ['3', 'few_absences_left'],
      ['4', 'out_of_reach'],
    ]);
    expect(body.students[0]).toMatchObject({ studentName: 'María Gómez', studentNumber: 'maria.estudiante', attended: 2, counted: 3, absences: 1, pending: 1, planned: 4, allowedAbsences: 1, absencesLeft: 0, earlyTerm: true });
    expect(body.students[0]!.rate).toBeCloseTo(2 / 3);
  });

  it('the course page’s numbers: Luis can afford one more absence, each held session with its count, a trend per student', async () => {
    const { status, body } = await teacher().get('/api/courses/MAT101/attendance');
    expect(status).toBe(200);
    const luis = body.students.find((s: { studentId: string }) => s.studentId === '2');
    expect(luis).toMatchObject({ rate: 1, absences: 0, absencesLeft: 1, atRisk: false, recent: ['manual_present', 'manual_present', 'manual_present'] });
    expect(body.sessions.map((s: { attended: number; absent: number; state: string }) => [s.state, s.attended, s.absent])).toEqual([
      ['closed', 2, 1],
      ['closed', 2, 1],
      ['closed', 1, 2],
    ]);
  });

  it('as CSV for the portal to send: the export’s format, spreadsheet formulas neutralised', async () => {
    // A student who left the course after a class: named as the roster was then, here a would-be formula.
    const [first] = (await service.db.query<{ id: string }>("SELECT id FROM attendance.sessions WHERE state = 'closed' ORDER BY planned_start LIMIT 1")).rows;
    await service.db.query(`INSERT INTO attendance.registrations (session_id, student_id, student_name, source) VALUES ($1, 'gone', '=HYPERLINK("http://x.example")', 'roster')`, [first!.id]);
    await service.db.query(`INSERT INTO attendance.results (session_id, student_id, status, computed_status, is_final) VALUES ($1, 'gone', 'absent', 'absent', true)`, [first!.id]);

    const { status, headers, bytes, text } = await atRisk('?format=csv').finally(() =>
      service.db.query(`DELETE FROM attendance.registrations WHERE student_id = 'gone'`),
    );
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(headers.get('content-disposition')).toMatch(/^attachment; filename="asistencia-MAT101_en_riesgo_\d{4}-\d{2}-\d{2}\.csv"/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text).toContain('\r\n');
    const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''), ';');
    expect(header).toEqual(['Número de estudiante', 'Nombre', 'Asistencia (%)', 'Mínimo (%)', 'Ausencias', 'Justificadas', 'Sesiones planificadas', 'Ausencias que aún puede tener', 'Motivo']);
    expect(rows).toEqual([
      ['', `'=HYPERLINK("http://x.example")`, '0', '75', '1', '0', '1', '0', 'Ya no alcanza el mínimo'],
      ['maria.estudiante', 'María Gómez', '66,7', '75', '1', '0', '4', '0', 'Pocas ausencias disponibles'],
      ['jose.estudiante', 'José Núñez', '0', '75', '3', '0', '4', '0', 'Ya no alcanza el mínimo'],
    ]);
    // Opened by a spreadsheet set to Chile's locale, the rate is the number 66.7 (not text, not 667).
    const opened = await libreOfficeOpensCsv(bytes, 'es-CL');
    expect(opened.find((row) => row[1] === 'María Gómez')?.slice(2, 5)).toEqual([66.7, 75, 1]);
  }, 120_000);

  it('only the course’s teacher (or an admin) may read it; bad input is a 4xx', async () => {
    expect((await atRisk('', users.otherTeacher)).status).toBe(403);
    expect(JSON.parse((await atRisk('', users.otherTeacher)).text).error.code).toBe('COURSE_NOT_YOURS');
    expect((await atRisk('', users.student)).status).toBe(403);
    expect((await atRisk('', users.admin)).status).toBe(200);
    expect((await atRisk('?format=xlsx')).status).toBe(400);
    expect((await atRisk('?format=json&extra=1')).status).toBe(400);
    expect((await apiAs(service.baseUrl, users.otherTeacher).get('/api/courses/MAT101/attendance')).status).toBe(403);
    expect((await teacher().get(`/api/courses/${'X'.repeat(33)}/attendance`)).status).toBe(400);
    expect((await apiAs(service.baseUrl, users.admin).get('/api/courses/NOPE/at-risk')).body.error.code).toBe('DIRECTORY_COURSE_NOT_FOUND');
  });
});

describe('the course minimum', () => {
  const put = (body: unknown, user: { sub: string; role: string; name: string } = users.teacher, course = 'MAT101') =>
    apiAs(service.baseUrl, user).call('PUT', `/api/courses/${course}/minimum`, body);

  it('its teacher sets it with a reason, audited; the list and the students follow; null sets it back', async () => {
    const set = await put({ percent: 60, reason: 'Según el programa del curso' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({ percent: 60, source: 'course', defaultPercent: 75 });
    expect(await minimumRows()).toEqual([{ course_id: 'MAT101', percent: 60 }]);

    // At 60 %, María (2 of 3) is above it but has no absence left to afford; José is still out of reach.
    const body = await riskOf();
    expect(body.minimum).toMatchObject({ percent: 60, source: 'course' });
    expect(body.students.map((s) => [s.studentId, s.reason])).toEqual([
      ['3', 'few_absences_left'],
      ['4', 'out_of_reach'],
    ]);
    const maria = await apiAs(service.baseUrl, users.student2).get('/api/me/attendance');
    const course = maria.body.courses.find((c: { course: { id: string } }) => c.course.id === 'MAT101');
    expect(course).toMatchObject({ minimum: { percent: 60, source: 'course' }, standing: { absences: 1, planned: 4, absencesLeft: 0, atRisk: true, reason: 'few_absences_left' } });

    expect((await put({ percent: 0, reason: 'Asistencia libre' })).status).toBe(200);
    expect((await riskOf()).students).toEqual([]);

    const back = await put({ percent: null, reason: 'Vuelve al reglamento' });
    expect(back.body).toEqual({ percent: 75, source: 'default', defaultPercent: 75 });
    expect(await minimumRows()).toEqual([]);
    expect(await auditRows()).toEqual([
      { course_id: 'MAT101', previous: null, new: 60, reason: 'Según el programa del curso', actor_id: '1' },
      { course_id: 'MAT101', previous: 60, new: 0, reason: 'Asistencia libre', actor_id: '1' },
      { course_id: 'MAT101', previous: 0, new: null, reason: 'Vuelve al reglamento', actor_id: '1' },
    ]);
  });

  it('no one else sets it, and bad input changes nothing', async () => {
    const before = await auditRows();
    expect((await put({ percent: 50, reason: 'No es mi curso' }, users.otherTeacher)).body.error.code).toBe('COURSE_NOT_YOURS');
    expect((await put({ percent: 50, reason: 'Quiero faltar' }, users.student)).status).toBe(403);
    for (const bad of [
      { percent: 0.75, reason: 'Fracción' },
      { percent: 101, reason: 'Demasiado' },
      { percent: -1, reason: 'Negativo' },
      { percent: 62.55, reason: 'Dos decimales' },
      { percent: '75', reason: 'Texto' },
      { percent: 75 },
      { percent: 75, reason: 'ok' },
      { percent: 75, reason: 'Con extra', extra: true },
    ]) {
      const answer = await put(bad);
      expect({ bad, status: answer.status, code: answer.body.error?.code }).toEqual({ bad, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await put({ percent: 80, reason: 'Curso inexistente' }, users.admin, 'NOPE')).status).toBe(404);
    expect(await minimumRows()).toEqual([]);
    expect(await auditRows()).toEqual(before);
  });
});

describe('one definition of the rate', () => {
  it('a class in progress is Pendiente in the course export and left out of its totals and rate, as in "my attendance"', async () => {
    const running = await session(0);
    expect((await teacher().post(`/api/sessions/${running}/open`)).status).toBe(200);
    const response = await fetch(`${service.baseUrl}/asistencia/api/courses/MAT101/export?format=csv`, {
      headers: { authorization: `Bearer ${await portalToken(users.teacher)}` },
    });
    const [header, ...rows] = parseCsv((await response.text()).replace(/^\uFEFF/, ''), ';');
    const jose = rows.find((cells) => cells[1] === 'José Núñez')!;
    expect(jose.at(-8)).toBe('Pendiente');
    expect(header!.slice(-4, -2)).toEqual(['Ausente', 'Justificado']);
    // Absences, rate and grade (the default policy: the rate).
    expect([jose.at(-4), jose.at(-2), jose.at(-1)]).toEqual(['3', '0', '0']);
    const luis = rows.find((cells) => cells[1] === 'Luis Pérez')!;
    expect(luis.slice(-2)).toEqual(['100', '100']);

    const mine = await apiAs(service.baseUrl, users.student3).get('/api/me/attendance');
    const course = mine.body.courses.find((c: { course: { id: string } }) => c.course.id === 'MAT101');
    expect(course).toMatchObject({ rate: 0, standing: { absences: 3, pending: 2, planned: 5, allowedAbsences: 1, absencesLeft: 0, reason: 'out_of_reach' } });
    expect((await teacher().post(`/api/sessions/${running}/close`)).status).toBe(200);
  });
});

describe('on the embedded database (npm start with no environment)', () => {
  it('sets a course minimum, audited, and lists who is at risk', async () => {
    const embedded = await startService({ embedded: true });
    try {
      const ana = apiAs(embedded.baseUrl, users.teacher);
      const id = (await ana.post('/api/sessions', draftSession())).body.id as string;
      await ana.post(`/api/sessions/${id}/open`);
      await ana.post(`/api/sessions/${id}/close`);
      expect((await ana.call('PUT', '/api/courses/MAT101/minimum', { percent: 62.5, reason: 'Programa' })).body).toEqual({ percent: 62.5, source: 'course', defaultPercent: 75 });
      const risk = await ana.get('/api/courses/MAT101/at-risk');
      expect(risk.body.minimum.percent).toBe(62.5);
      expect(risk.body.students.map((s: { studentId: string }) => s.studentId).sort()).toEqual(['2', '3', '4']);
      const audit = await embedded.db.query('SELECT new_percent::float8 AS new FROM attendance.course_minimum_changes');
      expect(audit.rows).toEqual([{ new: 62.5 }]);
    } finally {
      await embedded.stop();
    }
  });
});
