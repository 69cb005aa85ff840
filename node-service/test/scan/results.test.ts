import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../support/api.js';
import { libreOfficeCsv, parseCsv } from '../support/csv.js';
import type { Phone } from '../support/phone.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { enrolledPhone, liveSession, scanner } from './support.js';

/**
 * Results kept live and final at close, a teacher's audited corrections, exports that open in Excel and
 * LibreOffice with accents intact, and the student's own attendance.
 */
let service: RunningService;
let luis: Phone;
let maria: Phone;
let sessionId: string;
const teacher = () => apiAs(service.baseUrl, users.teacher);

beforeAll(async () => {
  service = await startService();
  luis = await enrolledPhone(service, users.student);
  maria = await enrolledPhone(service, users.student2);
  // Two rounds: Luis confirms both, María only the first, José none.
  const session = await liveSession(service, { roundsPlanned: 2 });
  sessionId = session.id;
  const first = await session.screen();
  await scanner(service).scan(first.token, luis);
  await scanner(service).scan(first.token, maria);
  await session.teacher.post(`/api/sessions/${sessionId}/rounds/current/end`);
  await session.teacher.post(`/api/sessions/${sessionId}/rounds`);
  const second = await session.screen(2);
  await scanner(service).scan(second.token, luis);
  await session.teacher.post(`/api/sessions/${sessionId}/close`);
  session.close();
});
afterAll(() => service?.stop());

async function download(path: string, language = 'es') {
  const response = await fetch(`${service.baseUrl}/asistencia${path}`, {
    headers: { authorization: `Bearer ${await portalToken(users.teacher)}`, 'accept-language': language },
  });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('results', () => {
  it('are final at close: present, partial, absent', async () => {
    const { rows } = await service.db.query(
      'SELECT student_id, status, rounds_confirmed, is_final FROM attendance.results WHERE session_id = $1 ORDER BY student_id',
      [sessionId],
    );
    expect(rows).toEqual([
      { student_id: '2', status: 'present', rounds_confirmed: 2, is_final: true },
      { student_id: '3', status: 'partial', rounds_confirmed: 1, is_final: true },
      { student_id: '4', status: 'absent', rounds_confirmed: 0, is_final: true },
    ]);
  });

  it('are late when the first confirmation comes after the threshold', async () => {
    const session = await liveSession(service, { plannedStart: new Date(Date.now() - 30 * 60_000).toISOString(), lateAfterMinutes: 10 });
    await scanner(service).scan((await session.screen()).token, luis);
    const { rows } = await service.db.query('SELECT status FROM attendance.results WHERE session_id = $1 AND student_id = $2', [session.id, '2']);
    expect(rows).toEqual([{ status: 'late' }]);
    session.close();
  });
});

describe('corrections', () => {
  it('excuse a student with a reason, keep the computed status, and audit it', async () => {
    const answer = await teacher().post(`/api/sessions/${sessionId}/students/4/correction`, { status: 'excused', reason: 'Certificado médico' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ studentId: '4', status: 'excused', computedStatus: 'absent', overrideReason: 'Certificado médico' });
    const audit = await service.db.query('SELECT previous_status, new_status, reason, actor_id FROM attendance.corrections WHERE session_id = $1', [sessionId]);
    expect(audit.rows).toEqual([{ previous_status: 'absent', new_status: 'excused', reason: 'Certificado médico', actor_id: '1' }]);
    const overview = await teacher().get(`/api/sessions/${sessionId}`);
    const row = (id: string) => overview.body.roster.find((r: { studentId: string }) => r.studentId === id);
    expect(row('4')).toMatchObject({ status: 'excused', overrideReason: 'Certificado médico' });
    expect(row('3')).toMatchObject({ status: 'partial', overrideReason: null });
  });

  it('refuse a correction without a reason, by another teacher, or for a student not in the session', async () => {
    expect((await teacher().post(`/api/sessions/${sessionId}/students/3/correction`, { status: 'manual_present', reason: '' })).body.error.code).toBe('VALIDATION_FAILED');
    const other = apiAs(service.baseUrl, users.otherTeacher);
    expect((await other.post(`/api/sessions/${sessionId}/students/3/correction`, { status: 'manual_present', reason: 'Estaba' })).body.error.code).toBe('SESSION_NOT_YOURS');
    expect((await teacher().post(`/api/sessions/${sessionId}/students/99/correction`, { status: 'manual_present', reason: 'Estaba' })).body.error.code).toBe('CORRECTION_NOT_REGISTERED');
    const { rows } = await service.db.query('SELECT status FROM attendance.results WHERE session_id = $1 AND student_id = $2', [sessionId, '3']);
    expect(rows).toEqual([{ status: 'partial' }]);
  });
});

describe('bulk corrections', () => {
  it('excuse several students with one reason, each audited like a single correction; all or none', async () => {
    const session = await liveSession(service, { roundsPlanned: 1 });
    await scanner(service).scan((await session.screen()).token, luis);
    await session.teacher.post(`/api/sessions/${session.id}/close`);
    session.close();
    const path = `/api/sessions/${session.id}/corrections`;

    // One student without a result in the session: nobody is corrected.
    const refused = await teacher().post(path, { studentIds: ['3', '99'], status: 'excused', reason: 'Salida a terreno' });
    expect(refused.body.error.code).toBe('CORRECTION_NOT_REGISTERED');
    const other = await apiAs(service.baseUrl, users.otherTeacher).post(path, { studentIds: ['3'], status: 'excused', reason: 'Salida a terreno' });
    expect(other.body.error.code).toBe('SESSION_NOT_YOURS');
    const untouched = await service.db.query('SELECT count(*)::int AS n FROM attendance.corrections WHERE session_id = $1', [session.id]);
    expect(untouched.rows).toEqual([{ n: 0 }]);

    const answer = await teacher().post(path, { studentIds: ['4', '3', '3'], status: 'excused', reason: 'Salida a terreno' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.corrected.map((r: { studentId: string; status: string }) => [r.studentId, r.status])).toEqual([['3', 'excused'], ['4', 'excused']]);
    const audit = await service.db.query(
      'SELECT student_id, previous_status, new_status, reason, actor_id FROM attendance.corrections WHERE session_id = $1 ORDER BY student_id',
      [session.id],
    );
    expect(audit.rows).toEqual([
      { student_id: '3', previous_status: 'absent', new_status: 'excused', reason: 'Salida a terreno', actor_id: '1' },
      { student_id: '4', previous_status: 'absent', new_status: 'excused', reason: 'Salida a terreno', actor_id: '1' },
    ]);
    const overview = await teacher().get(`/api/sessions/${session.id}`);
    const byId = Object.fromEntries(overview.body.roster.map((r: { studentId: string }) => [r.studentId, r]));
    expect(byId['3']).toMatchObject({ status: 'excused', overrideReason: 'Salida a terreno', firstConfirmedAt: null });
    expect(byId['4']).toMatchObject({ status: 'excused', overrideReason: 'Salida a terreno' });
    const luisAt = await service.db.query<{ at: Date }>('SELECT first_confirmed_at AS at FROM attendance.results WHERE session_id = $1 AND student_id = $2', [session.id, '2']);
    expect(byId['2']).toMatchObject({ status: 'present', firstConfirmedAt: luisAt.rows[0]!.at.toISOString() });
  });
});

describe('exports', () => {
  const zone = 'America/Santiago'; // TIME_ZONE's default
  /** What the test expects: its own reading of an instant in the zone, `YYYY-MM-DD HH:MM:SS`. */
  const inZone = (at: Date) => at.toLocaleString('sv-SE', { timeZone: zone });
  const firstConfirmation = async (studentId: string) =>
    (await service.db.query<{ at: Date }>('SELECT first_confirmed_at AS at FROM attendance.results WHERE session_id = $1 AND student_id = $2', [sessionId, studentId])).rows[0]!.at;
  const plannedStart = async () =>
    (await service.db.query<{ at: Date }>('SELECT planned_start AS at FROM attendance.sessions WHERE id = $1', [sessionId])).rows[0]!.at;
  const csvRows = (bytes: Buffer, separator = ';') => parseCsv(bytes.subarray(3).toString('utf8'), separator);

  it('session CSV: UTF-8 with BOM, Spanish headers and statuses, accents intact, ; for Spanish Excel', async () => {
    const { status, headers, bytes } = await download(`/api/sessions/${sessionId}/export?format=csv`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/text\/csv; charset=utf-8/);
    const day = inZone(await plannedStart()).slice(0, 10);
    expect(headers.get('content-disposition')).toBe(
      `attachment; filename="asistencia-Calculo_I_${day}.csv"; filename*=UTF-8''asistencia-C%C3%A1lculo_I_${day}.csv`,
    );
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = csvRows(bytes);
    expect(header).toEqual(['Número de estudiante', 'Nombre', 'Estado', 'Rondas confirmadas', 'Rondas realizadas', 'Primera confirmación', 'Fuera de lista', 'Motivo de corrección', 'Llamado al azar', 'Alertas']);
    // Surname first: Gómez, Núñez, Pérez; the portal username is the student number.
    expect(rows.map((cells) => cells.slice(0, 5))).toEqual([
      ['maria.estudiante', 'María Gómez', 'Parcial', '1', '2'],
      ['jose.estudiante', 'José Núñez', 'Justificado', '0', '2'],
      ['luis.estudiante', 'Luis Pérez', 'Presente', '2', '2'],
    ]);
    expect(rows[1]![7]).toBe('Certificado médico');
    // The first confirmation in the institution's time, not UTC.
    const luisAt = await firstConfirmation('2');
    expect(rows[2]![5]).toBe(inZone(luisAt));
    expect(rows[2]![5]).not.toBe(luisAt.toISOString().slice(0, 19).replace('T', ' '));
  });

  it('session CSV in English uses , and English labels', async () => {
    const { bytes } = await download(`/api/sessions/${sessionId}/export?format=csv`, 'en');
    const [header, ...rows] = csvRows(bytes, ',');
    expect(header![0]).toBe('Student number');
    expect(header![2]).toBe('Status');
    expect(rows.find((cells) => cells[1] === 'Luis Pérez')!.slice(0, 3)).toEqual(['luis.estudiante', 'Luis Pérez', 'Present']);
  });

  it('session XLSX: real date cells in local time, numeric widths, header frozen below the title rows', async () => {
    const { status, headers, bytes } = await download(`/api/sessions/${sessionId}/export?format=xlsx`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const values = (row: number) => (sheet.getRow(row).values as unknown[]).slice(1);
    // Five title rows (test/attendance/printed-exports.test.ts) and an empty one, then the header.
    expect(values(7)[1]).toBe('Nombre');
    expect([8, 9, 10].map((row) => values(row).slice(0, 3))).toEqual([
      ['maria.estudiante', 'María Gómez', 'Parcial'],
      ['jose.estudiante', 'José Núñez', 'Justificado'],
      ['luis.estudiante', 'Luis Pérez', 'Presente'],
    ]);
    const luisAt = sheet.getCell('F10');
    expect(luisAt.type).toBe(ExcelJS.ValueType.Date);
    // A spreadsheet date has no zone: the cell holds the wall-clock time of the institution.
    expect((luisAt.value as Date).toISOString().slice(0, 19).replace('T', ' ')).toBe(inZone(await firstConfirmation('2')));
    for (let column = 1; column <= sheet.columnCount; column += 1) {
      const width = sheet.getColumn(column).width;
      expect(Number.isFinite(width), `column ${column} width ${width}`).toBe(true);
      expect(width).toBeGreaterThanOrEqual(String(values(7)[column - 1]).length);
    }
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 7 });
  });

  it('course export: student numbers, every session in local time, per-student totals that add up, the rate', async () => {
    const { headers, bytes } = await download('/api/courses/MAT101/export?format=csv');
    expect(headers.get('content-disposition')).toContain(`filename="asistencia-MAT101_${inZone(new Date()).slice(0, 10)}.csv"`);
    const [header, ...rows] = csvRows(bytes);
    expect(header!.slice(-7)).toEqual(['Presente', 'Tarde', 'Parcial', 'Ausente', 'Justificado', 'Asistencia (%)', 'Nota de asistencia (%)']);
    const sessionColumns = header!.slice(2, -7);
    expect(sessionColumns).toContain(`${inZone(await plannedStart()).slice(0, 16)} Aula 204`);
    expect(rows.map((cells) => cells.slice(0, 2))).toEqual([
      ['maria.estudiante', 'María Gómez'],
      ['jose.estudiante', 'José Núñez'],
      ['luis.estudiante', 'Luis Pérez'],
    ]);
    // Totals count decided results only: a class still running (the late one above) is left out, as in "my attendance".
    const results = await service.db.query<{ student_id: string; status: string }>(
      `SELECT r.student_id, r.status FROM attendance.results r JOIN attendance.sessions s ON s.id = r.session_id
       WHERE s.course_id = 'MAT101' AND s.state <> 'scheduled' AND r.is_final`,
    );
    const ids: Record<string, string> = { 'maria.estudiante': '3', 'jose.estudiante': '4', 'luis.estudiante': '2' };
    for (const cells of rows) {
      const mine = results.rows.filter((r) => r.student_id === ids[cells[0]!]).map((r) => r.status);
      const count = (...statuses: string[]) => String(mine.filter((s) => statuses.includes(s)).length);
      const totals = cells.slice(-7, -2);
      expect(totals).toEqual([count('present', 'manual_present'), count('late'), count('partial'), count('absent'), count('excused')]);
      const labels = cells.slice(2, -7).filter(Boolean);
      expect(labels.filter((l) => l.startsWith('Presente')).length).toBe(Number(totals[0]));
      expect(labels.filter((l) => l === 'Ausente').length).toBe(Number(totals[3]));
    }
    // The rate, and the grade under the default policy: the same number.
    expect(rows.find((cells) => cells[1] === 'Luis Pérez')!.slice(-2).map(Number)).toEqual([100, 100]);
    const forbidden = await fetch(`${service.baseUrl}/asistencia/api/courses/FIS201/export`, { headers: { authorization: `Bearer ${await portalToken(users.teacher)}` } });
    expect(forbidden.status).toBe(403);
  });

  it('XLSX opened by LibreOffice shows local times and the same totals as the CSV', async () => {
    const session = (await libreOfficeCsv((await download(`/api/sessions/${sessionId}/export?format=xlsx`)).bytes)).slice(6);
    expect(session[0]![0]).toBe('Número de estudiante');
    expect(session.find((cells) => cells[1] === 'Luis Pérez')![5]).toBe(inZone(await firstConfirmation('2')));
    const course = (await libreOfficeCsv((await download('/api/courses/MAT101/export?format=xlsx')).bytes)).slice(6);
    const csv = csvRows((await download('/api/courses/MAT101/export?format=csv')).bytes);
    expect(course.map((cells) => cells.slice(-7, -2))).toEqual(csv.map((cells) => cells.slice(-7, -2)));
    expect(course.map((cells) => cells[1])).toEqual(csv.map((cells) => cells[1]));
  }, 120_000);

  it('refuses a student', async () => {
    const student = await fetch(`${service.baseUrl}/asistencia/api/sessions/${sessionId}/export`, { headers: { authorization: `Bearer ${await portalToken(users.student)}` } });
    expect(student.status).toBe(403);
  });
});

describe('my attendance', () => {
  it('shows the student each session’s status and the rate, per course', async () => {
    const maria = apiAs(service.baseUrl, users.student2);
    const { status, body } = await maria.get('/api/me/attendance');
    expect(status).toBe(200);
    const calculus = body.courses.find((c: { course: { id: string } }) => c.course.id === 'MAT101');
    expect(calculus.sessions.find((s: { sessionId: string }) => s.sessionId === sessionId)).toMatchObject({ status: 'partial', roundsConfirmed: 1, roundsRun: 2, final: true });
    expect(calculus.rate).toBeGreaterThan(0);
    expect(body.courses.map((c: { course: { id: string } }) => c.course.id).sort()).toEqual(['FIS201', 'MAT101']);
    expect((await apiAs(service.baseUrl, users.teacher).get('/api/me/attendance')).status).toBe(403);
  });

  it('leaves a class still running out of the rate', async () => {
    // Luis was present at every closed class; a class that has just started, where he has not scanned yet,
    // must not halve his rate.
    const luisApi = apiAs(service.baseUrl, users.student);
    const before = (await luisApi.get('/api/me/attendance')).body.courses.find((c: { course: { id: string } }) => c.course.id === 'MAT101');
    const running = await liveSession(service, { roundsPlanned: 1 });
    const during = (await luisApi.get('/api/me/attendance')).body.courses.find((c: { course: { id: string } }) => c.course.id === 'MAT101');
    expect(during.sessions.find((s: { sessionId: string }) => s.sessionId === running.id)).toMatchObject({ status: 'absent', final: false });
    expect(before.rate).toBe(1);
    expect(during.rate).toBe(1);
    running.close();
  });
});
