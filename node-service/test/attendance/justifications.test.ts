import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * Justifications (issue 26) against a real PostgreSQL: a student asks to justify an absence (the student is
 * the token's), with an optional document checked by size and by its first bytes; the class's teacher reads
 * the course's requests, opens the document, approves (the class becomes "Justificado" through an audited
 * correction, and the standing follows) or rejects (the absence stays).
 *
 * Cálculo I (MAT101: Luis 2, María 3, José 4). Classes held and closed 20, 3, 2 and 1 days ago, one to come:
 * five planned, 75 % minimum, so one absence affordable. María misses only the class 2 days ago; José misses
 * all but the first. JUSTIFICATION_MAX_BYTES is 4096 here, the window the default 14 days.
 */
const MAX_BYTES = 4096;
let service: RunningService;
const teacher = () => apiAs(service.baseUrl, users.teacher);
const maria = () => apiAs(service.baseUrl, users.student2);
const jose = () => apiAs(service.baseUrl, users.student3);
const day = 24 * 60 * 60_000;
const held: Record<'old' | 'd3' | 'd2' | 'd1', string> = { old: '', d3: '', d2: '', d1: '' };

const png = (size: number) => {
  const bytes = Buffer.alloc(size, 7);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
};
const attachment = (bytes: Buffer, name = 'certificado.png') => ({ name, data: bytes.toString('base64') });

async function session(daysAgo: number): Promise<string> {
  const start = new Date(Date.now() - daysAgo * day);
  const created = await teacher().post('/api/sessions', draftSession({ plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString() }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

async function heldSession(daysAgo: number, present: string[]): Promise<string> {
  const id = await session(daysAgo);
  expect((await teacher().post(`/api/sessions/${id}/open`)).status).toBe(200);
  expect((await teacher().post(`/api/sessions/${id}/close`)).status).toBe(200);
  const marked = await teacher().post(`/api/sessions/${id}/corrections`, { studentIds: present, status: 'manual_present', reason: 'Lista en papel' });
  expect(marked.status, JSON.stringify(marked.body)).toBe(200);
  return id;
}

const statusOf = async (sessionId: string, studentId: string) =>
  (await service.db.query<{ status: string }>('SELECT status FROM attendance.results WHERE session_id = $1 AND student_id = $2', [sessionId, studentId])).rows[0]?.status;
const requestCount = async () => Number((await service.db.query<{ n: string }>('SELECT count(*) AS n FROM attendance.justifications')).rows[0]!.n);
const standingOf = async (user: { sub: string; role: string; name: string }) => {
  const { body } = await apiAs(service.baseUrl, user).get('/api/me/attendance');
  return body.courses.find((c: { course: { id: string } }) => c.course.id === 'MAT101').standing;
};
const ask = (who: () => ReturnType<typeof apiAs>, body: Record<string, unknown>) => who().post('/api/me/justifications', body);

beforeAll(async () => {
  service = await startService({ env: { JUSTIFICATION_MAX_BYTES: String(MAX_BYTES) } });
  held.old = await heldSession(20, ['2', '3', '4']);
  held.d3 = await heldSession(3, ['2', '3']);
  held.d2 = await heldSession(2, ['2']);
  held.d1 = await heldSession(1, ['2', '3']);
  await session(-7);
}, 60_000);
afterAll(() => service?.stop());

describe('a student asks', () => {
  it('with a PNG of the largest size allowed: stored waiting, the type read from its bytes, the student the token’s', async () => {
    const asked = await ask(maria, { sessionId: held.d2, reason: 'Control médico', attachment: attachment(png(MAX_BYTES), 'foto.pdf') });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.body).toMatchObject({ sessionId: held.d2, studentId: '3', studentName: 'María Gómez', reason: 'Control médico', state: 'pending', decision: null });
    // Named .pdf, but its bytes are a PNG: it is kept and served as one.
    expect(asked.body.attachment).toEqual({ type: 'image/png', name: 'foto.pdf', bytes: MAX_BYTES });
    const [row] = (await service.db.query<{ n: number }>('SELECT octet_length(attachment) AS n FROM attendance.justifications WHERE id = $1', [asked.body.id])).rows;
    expect(row!.n).toBe(MAX_BYTES);
  });

  it('once per class while a request waits', async () => {
    const again = await ask(maria, { sessionId: held.d2, reason: 'Otra vez' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('JUSTIFICATION_ALREADY_PENDING');
    expect(again.body.error.message).toMatch(/^Ya pediste justificar esa clase/);
    expect(await requestCount()).toBe(1);
  });

  it('only for their own classes: the student comes from the token, never from the body', async () => {
    const stranger = apiAs(service.baseUrl, { sub: '99', role: 'student', name: 'Nadie' });
    const notMine = await stranger.post('/api/me/justifications', { sessionId: held.d3, reason: 'No estaba' });
    expect(notMine.status).toBe(404);
    expect(notMine.body.error.code).toBe('JUSTIFICATION_SESSION_NOT_YOURS');
    const forSomeoneElse = await ask(maria, { sessionId: held.d3, reason: 'Por José', studentId: '4' });
    expect(forSomeoneElse.status).toBe(400);
    expect((await ask(jose, { sessionId: '00000000-0000-4000-8000-000000000000', reason: 'No existe' })).body.error.code).toBe('JUSTIFICATION_SESSION_NOT_YOURS');
    // Teachers and admins do not ask.
    expect((await apiAs(service.baseUrl, users.teacher).post('/api/me/justifications', { sessionId: held.d3, reason: 'Yo no fui' })).status).toBe(403);
    expect(await requestCount()).toBe(1);
  });

  it('only for an absence from a class that ended, within the window', async () => {
    const attended = await ask(maria, { sessionId: held.d3, reason: 'Estuve' });
    expect([attended.status, attended.body.error.code]).toEqual([409, 'JUSTIFICATION_NOT_ABSENT']);
    const tooLate = await ask(jose, { sessionId: held.old, reason: 'Hace mucho' });
    expect([tooLate.status, tooLate.body.error.code]).toEqual([409, 'JUSTIFICATION_NOT_ABSENT']);
    // José was present 20 days ago; made absent by the teacher, that class is past the 14-day window.
    expect((await teacher().post(`/api/sessions/${held.old}/students/4/correction`, { status: 'manual_absent', reason: 'Se fue temprano' })).status).toBe(200);
    const late = await ask(jose, { sessionId: held.old, reason: 'Hace mucho' });
    expect([late.status, late.body.error.code]).toEqual([409, 'JUSTIFICATION_TOO_LATE']);
    expect(late.body.error.message).toMatch(/hasta 14 días/);

    const running = await session(0);
    expect((await teacher().post(`/api/sessions/${running}/open`)).status).toBe(200);
    const open = await ask(jose, { sessionId: running, reason: 'Estoy enfermo' });
    expect([open.status, open.body.error.code]).toEqual([409, 'JUSTIFICATION_CLASS_RUNNING']);
    expect((await teacher().post(`/api/sessions/${running}/close`)).status).toBe(200);
    expect((await teacher().post(`/api/sessions/${running}/corrections`, { studentIds: ['2', '3', '4'], status: 'manual_present', reason: 'Lista en papel' })).status).toBe(200);
    expect(await requestCount()).toBe(1);
  });

  it('a document over JUSTIFICATION_MAX_BYTES, or not a PDF, JPEG or PNG by its bytes, is refused in the reader’s language; nothing is stored', async () => {
    const big = await ask(jose, { sessionId: held.d2, reason: 'Licencia', attachment: attachment(png(5000)) });
    expect([big.status, big.body.error.code]).toEqual([413, 'JUSTIFICATION_ATTACHMENT_TOO_LARGE']);
    expect(big.body.error.message).toBe('El documento pesa 4,9 KB; el máximo es 4 KB. Envía una versión más liviana (por ejemplo, una foto o un PDF comprimido).');
    const html = await ask(jose, { sessionId: held.d2, reason: 'Licencia', attachment: attachment(Buffer.from('<html><script>alert(1)</script></html>'), 'licencia.png') });
    expect([html.status, html.body.error.code]).toEqual([400, 'JUSTIFICATION_ATTACHMENT_TYPE']);
    const gif = await ask(jose, { sessionId: held.d2, reason: 'Licencia', attachment: attachment(Buffer.from('GIF89a.......'), 'licencia.gif') });
    expect(gif.body.error.code).toBe('JUSTIFICATION_ATTACHMENT_TYPE');
    const english = await fetch(`${service.baseUrl}/asistencia/api/me/justifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await portalToken(users.student3)}`, 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify({ sessionId: held.d2, reason: 'Licencia', attachment: attachment(Buffer.from('PK\x03\x04 a zip')) }),
    });
    expect(english.status).toBe(400);
    expect(((await english.json()) as { error: { message: string } }).error.message).toBe('The document must be a PDF, a JPEG image or a PNG image.');
    const notBase64 = await ask(jose, { sessionId: held.d2, reason: 'Licencia', attachment: { name: 'a.png', data: '***' } });
    expect(notBase64.status).toBe(400);
    for (const name of ['a\u0000.png', 'a\ud800.png', 'línea\nnueva.png']) {
      expect((await ask(jose, { sessionId: held.d2, reason: 'Licencia', attachment: attachment(png(100), name) })).status, JSON.stringify(name)).toBe(400);
    }
    expect(await requestCount()).toBe(1);
  });
});

describe('the teacher decides', () => {
  const decide = (id: string, body: unknown, user: { sub: string; role: string; name: string } = users.teacher) =>
    apiAs(service.baseUrl, user).post(`/api/justifications/${id}/decision`, body);
  const mariasRequest = async () => (await teacher().get('/api/courses/MAT101/justifications')).body.justifications.find((j: { studentId: string }) => j.studentId === '3');

  it('sees the course’s requests and opens the document; another teacher and other students cannot', async () => {
    const list = await teacher().get('/api/courses/MAT101/justifications');
    expect(list.status).toBe(200);
    expect(list.body.justifications).toHaveLength(1);
    const { id } = list.body.justifications[0];
    const open = async (user: { sub: string; role: string; name: string }) =>
      fetch(`${service.baseUrl}/asistencia/api/justifications/${id}/attachment`, { headers: { authorization: `Bearer ${await portalToken(user)}` } });
    const document = await open(users.teacher);
    expect(document.status).toBe(200);
    expect(document.headers.get('content-type')).toBe('image/png');
    expect(document.headers.get('x-content-type-options')).toBe('nosniff');
    expect(document.headers.get('content-disposition')).toMatch(/^attachment; filename="foto.pdf"/);
    expect(Buffer.from(await document.arrayBuffer()).equals(png(MAX_BYTES))).toBe(true);
    expect((await open(users.student2)).status).toBe(200);
    expect((await open(users.student3)).status).toBe(404);
    expect((await open(users.otherTeacher)).status).toBe(403);

    const other = await apiAs(service.baseUrl, users.otherTeacher).get('/api/courses/MAT101/justifications');
    expect([other.status, other.body.error.code]).toEqual([403, 'COURSE_NOT_YOURS']);
    expect((await apiAs(service.baseUrl, users.student2).get('/api/courses/MAT101/justifications')).status).toBe(403);
  });

  it('only for their own course: another teacher’s decision is refused and changes nothing', async () => {
    const { id } = await mariasRequest();
    const refused = await decide(id, { decision: 'approved' }, users.otherTeacher);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'JUSTIFICATION_NOT_YOURS']);
    expect((await decide(id, { decision: 'approved' }, users.student2)).status).toBe(403);
    expect((await decide('999999', { decision: 'approved' })).body.error.code).toBe('JUSTIFICATION_NOT_FOUND');
    expect((await decide(id, { decision: 'maybe' })).status).toBe(400);
    expect((await decide('abc', { decision: 'approved' })).status).toBe(400);
    expect((await mariasRequest()).state).toBe('pending');
    expect(await statusOf(held.d2, '3')).toBe('absent');
  });

  it('approves: the class becomes Justificado by an audited correction, the standing improves, both see who and when', async () => {
    expect(await standingOf(users.student2)).toMatchObject({ absences: 1, absencesLeft: 0, atRisk: true, reason: 'few_absences_left' });
    const { id } = await mariasRequest();
    const approved = await decide(id, { decision: 'approved', note: 'Certificado recibido' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', decision: { by: { id: '1', name: 'Ana Martínez', role: 'teacher' }, note: 'Certificado recibido' } });
    expect(await statusOf(held.d2, '3')).toBe('excused');
    const [audit] = (await service.db.query('SELECT previous_status, new_status, reason, actor_id FROM attendance.corrections WHERE session_id = $1 AND student_id = $2 ORDER BY id DESC LIMIT 1', [held.d2, '3'])).rows;
    expect(audit).toEqual({ previous_status: 'absent', new_status: 'excused', reason: 'Justificación aprobada: Control médico', actor_id: '1' });
    expect(await standingOf(users.student2)).toMatchObject({ absences: 0, absencesLeft: 1, atRisk: false, reason: null });

    const mine = await maria().get('/api/me/justifications');
    expect(mine.body.justifications).toEqual([expect.objectContaining({ id, state: 'approved', decision: expect.objectContaining({ by: { id: '1', name: 'Ana Martínez', role: 'teacher' } }) })]);
    expect(Date.parse(mine.body.justifications[0].decision.at)).toBeGreaterThanOrEqual(Date.parse(mine.body.justifications[0].requestedAt));

    const twice = await decide(id, { decision: 'rejected' });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'JUSTIFICATION_ALREADY_DECIDED']);
    expect(await statusOf(held.d2, '3')).toBe('excused');
  });

  it('rejects: the absence stays and counts; the student may ask again', async () => {
    const before = await standingOf(users.student3);
    const asked = await ask(jose, { sessionId: held.d1, reason: 'Se me pasó la hora' });
    expect(asked.status).toBe(201);
    const rejected = await decide(asked.body.id, { decision: 'rejected', note: 'No es motivo de justificación' });
    expect(rejected.body).toMatchObject({ state: 'rejected', decision: { note: 'No es motivo de justificación' } });
    expect(await statusOf(held.d1, '4')).toBe('absent');
    expect(await standingOf(users.student3)).toEqual(before);
    const again = await ask(jose, { sessionId: held.d1, reason: 'Adjunto el certificado', attachment: attachment(Buffer.from('%PDF-1.4\n%%EOF')) });
    expect(again.status).toBe(201);
    expect(again.body.attachment.type).toBe('application/pdf');
    const history = (await jose().get('/api/me/justifications')).body.justifications;
    expect(history.map((j: { state: string }) => j.state)).toEqual(['pending', 'rejected']);
  });

  it('erasing a student deletes their requests and documents; the approved class stays excused', async () => {
    const erased = await apiAs(service.baseUrl, users.admin).post('/api/admin/students/3/erasure', { reason: 'Pedido de la estudiante' });
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    const left = (await service.db.query<{ student_id: string }>('SELECT student_id FROM attendance.justifications')).rows.map((r) => r.student_id);
    expect(left).toEqual(['4', '4']);
    expect(await statusOf(held.d2, erased.body.anonymousId)).toBe('excused');
  });
});
