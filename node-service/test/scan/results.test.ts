import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../support/api.js';
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

describe('exports', () => {
  it('session CSV: UTF-8 with BOM, Spanish headers and statuses, accents intact, ; for Spanish Excel', async () => {
    const { status, headers, bytes } = await download(`/api/sessions/${sessionId}/export?format=csv`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/text\/csv; charset=utf-8/);
    expect(headers.get('content-disposition')).toMatch(/^attachment; filename="asistencia-Calculo_I_\d{4}-\d\d-\d\d\.csv"; filename\*=UTF-8''asistencia-C%C3%A1lculo_I_\d{4}-\d\d-\d\d\.csv$/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n').map((line) => line.split(';'));
    expect(lines[0]).toEqual(['ID estudiante', 'Nombre', 'Estado', 'Rondas confirmadas', 'Rondas realizadas', 'Primera confirmación', 'Fuera de lista', 'Motivo de corrección', 'Alertas']);
    const byId = Object.fromEntries(lines.slice(1).map((cells) => [cells[0], cells]));
    expect(byId['2']!.slice(0, 5)).toEqual(['2', 'Luis Pérez', 'Presente', '2', '2']);
    expect(byId['3']!.slice(0, 5)).toEqual(['3', 'María Gómez', 'Parcial', '1', '2']);
    expect(byId['4']!.slice(0, 3)).toEqual(['4', 'José Núñez', 'Justificado']);
    expect(byId['4']![7]).toBe('Certificado médico');
  });

  it('session CSV in English uses , and English labels', async () => {
    const { bytes } = await download(`/api/sessions/${sessionId}/export?format=csv`, 'en');
    const [header, ...rows] = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(header!.split(',')[2]).toBe('Status');
    expect(rows.some((row) => row.startsWith('2,Luis Pérez,Present,'))).toBe(true);
  });

  it('session XLSX opens as a real workbook with the same content', async () => {
    const { status, headers, bytes } = await download(`/api/sessions/${sessionId}/export?format=xlsx`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const values = (row: number) => (sheet.getRow(row).values as unknown[]).slice(1);
    expect(values(1)[1]).toBe('Nombre');
    const rows = [2, 3, 4].map(values);
    expect(rows.find((r) => r[0] === '2')?.slice(1, 3)).toEqual(['Luis Pérez', 'Presente']);
    expect(rows.find((r) => r[0] === '4')?.slice(1, 3)).toEqual(['José Núñez', 'Justificado']);
  });

  it('course export: every session, each student’s rate', async () => {
    const { bytes } = await download('/api/courses/MAT101/export?format=csv');
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n').map((line) => line.split(';'));
    expect(lines[0]!.at(-1)).toBe('Asistencia (%)');
    const luisRow = lines.find((cells) => cells[0] === '2')!;
    expect(luisRow[1]).toBe('Luis Pérez');
    expect(Number(luisRow.at(-1))).toBeGreaterThan(0);
    const forbidden = await fetch(`${service.baseUrl}/asistencia/api/courses/FIS201/export`, { headers: { authorization: `Bearer ${await portalToken(users.teacher)}` } });
    expect(forbidden.status).toBe(403);
  });

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
});
