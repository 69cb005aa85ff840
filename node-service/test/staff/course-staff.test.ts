import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftSession } from '../support/api.js';
import { call, signIn, startDoor, type Door } from '../door/door.js';

/**
 * Course staff (issue 26), through the real door: Apache and php-fpm serve the portal, whose seed puts Rosa
 * Fuentes on Cálculo I (MAT101) as co-teacher and Diego Rojas as assistant ("ayudante") beside its teacher Ana;
 * node-service reads them from the portal's internal listener on every check. Pedro Sánchez teaches another
 * course. Each refusal below turns green only because of one check of directory/domain/course-rights.ts.
 */
let door: Door;
const tokens: Record<'ana' | 'rosa' | 'diego' | 'pedro' | 'maria', string> = { ana: '', rosa: '', diego: '', pedro: '', maria: '' };
let sessionId = '';
/** A valid grade policy (the institution's default), for PUT /api/courses/:courseId/grade-policy. */
const policy = { basis: 'to_date', dropLowest: 0, points: { late: 1, partial: 0.5 }, absencePenalty: 0 };

const api = (who: keyof typeof tokens, path: string, init: { method?: string; body?: unknown } = {}) =>
  call(`${door.apache.httpUrl}/asistencia${path}`, tokens[who], init);
const refused = async (who: keyof typeof tokens, path: string, init: { method?: string; body?: unknown } = {}) => {
  const { status, body } = await api(who, path, init);
  return [status, body?.error?.code];
};
/** A CSV or spreadsheet answer is not JSON: only its status is read. */
const status = async (who: keyof typeof tokens, path: string) =>
  (await fetch(`${door.apache.httpUrl}/asistencia${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } })).status;

beforeAll(async () => {
  door = await startDoor();
  const names = { ana: 'ana.docente', rosa: 'rosa.docente', diego: 'diego.ayudante', pedro: 'pedro.docente', maria: 'maria.estudiante' } as const;
  for (const [who, username] of Object.entries(names)) tokens[who as keyof typeof tokens] = (await signIn(door.apache.httpUrl, username)).token;
}, 60_000);
afterAll(() => door?.stop());

describe('the courses a person staffs', () => {
  it('are listed with their role and rights, from the portal', async () => {
    const rights = async (who: keyof typeof tokens) => (await api(who, '/api/teacher/courses')).body.courses;
    expect(await rights('rosa')).toEqual([expect.objectContaining({ id: 'MAT101', role: 'co_teacher', rights: expect.arrayContaining(['change_settings', 'export_data']) })]);
    const [mat101] = await rights('diego');
    expect(mat101).toMatchObject({ id: 'MAT101', name: 'Cálculo I', role: 'assistant' });
    expect([...mat101.rights].sort()).toEqual(['mark_present', 'project', 'run_classes', 'see_classes', 'see_roster', 'see_standings']);
    expect(await rights('pedro')).toEqual([expect.objectContaining({ id: 'FIS201', role: 'teacher' })]);
  });
});

describe('a co-teacher', () => {
  it('plans a class of the course, as its teacher does', async () => {
    const created = await api('rosa', '/api/sessions', { method: 'POST', body: draftSession({ roundsPlanned: 1 }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    sessionId = created.body.id;
    // The teacher and the assistant see it in their lists; a teacher of another course does not.
    for (const who of ['ana', 'diego'] as const) expect((await api(who, '/api/sessions')).body.sessions.map((s: { id: string }) => s.id)).toContain(sessionId);
    expect((await api('pedro', '/api/sessions')).body.sessions).toEqual([]);
  });
});

describe('an assistant', () => {
  it('may not plan, change or delete a class', async () => {
    expect(await refused('diego', '/api/sessions', { method: 'POST', body: draftSession() })).toEqual([403, 'COURSE_RIGHT_MISSING']);
    expect(await refused('diego', `/api/sessions/${sessionId}`, { method: 'PATCH', body: { room: 'Aula 1' } })).toEqual([403, 'COURSE_RIGHT_MISSING']);
    expect(await refused('diego', `/api/sessions/${sessionId}`, { method: 'DELETE' })).toEqual([403, 'COURSE_RIGHT_MISSING']);
  });

  it('opens and runs the class, sees its live roster, and marks a student present, audited as the assistant', async () => {
    expect((await api('diego', `/api/sessions/${sessionId}/open`, { method: 'POST' })).status).toBe(200);
    expect((await api('diego', `/api/sessions/${sessionId}/rounds`, { method: 'POST' })).status).toBe(200);
    const overview = await api('diego', `/api/sessions/${sessionId}`);
    expect(overview.status).toBe(200);
    expect(overview.body.access.role).toBe('assistant');
    expect(overview.body.roster.map((r: { studentId: string }) => r.studentId).sort()).toEqual(['2', '3', '4']);
    const marked = await api('diego', `/api/sessions/${sessionId}/students/2/correction`, { method: 'POST', body: { status: 'manual_present', reason: 'Estaba en la sala, sin batería' } });
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
    const { rows } = await door.service.db.query('SELECT student_id, new_status, actor_id FROM attendance.corrections WHERE session_id = $1', [sessionId]);
    expect(rows).toEqual([{ student_id: '2', new_status: 'manual_present', actor_id: '8' }]);
    // Any other correction is the teacher's.
    expect(await refused('diego', `/api/sessions/${sessionId}/students/4/correction`, { method: 'POST', body: { status: 'excused', reason: 'Certificado médico' } })).toEqual([403, 'COURSE_RIGHT_MISSING']);
    expect(await refused('diego', `/api/sessions/${sessionId}/corrections`, { method: 'POST', body: { studentIds: ['3', '4'], status: 'manual_absent', reason: 'Se fueron antes' } })).toEqual([403, 'COURSE_RIGHT_MISSING']);
    expect((await api('diego', `/api/sessions/${sessionId}/close`, { method: 'POST' })).status).toBe(200);
  });

  it('sees the course’s standings but not its settings', async () => {
    const course = await api('diego', '/api/courses/MAT101/attendance');
    expect(course.status).toBe(200);
    expect(course.body.access).toMatchObject({ role: 'assistant' });
    expect(await refused('diego', '/api/courses/MAT101/minimum', { method: 'PUT', body: { percent: 60, reason: 'Quiero cambiarlo' } })).toEqual([403, 'COURSE_RIGHT_MISSING']);
    expect(await refused('diego', '/api/courses/MAT101/grade-policy', { method: 'PUT', body: { ...policy, reason: 'Quiero cambiarlo' } })).toEqual([403, 'COURSE_RIGHT_MISSING']);
  });

  it('leaves the course’s LMS link, roster and grades to its teacher and co-teachers', async () => {
    // LTI's teaching check asks the course rights (app.ts): change_settings, which an assistant lacks.
    expect(await refused('diego', '/api/lti/courses/MAT101')).toEqual([403, 'LTI_COURSE_NOT_TAUGHT']);
    expect(await refused('diego', '/api/lti/courses/MAT101/roster/sync', { method: 'POST' })).toEqual([403, 'LTI_COURSE_NOT_TAUGHT']);
    expect((await api('rosa', '/api/lti/courses/MAT101')).status).toBe(200);
    expect((await api('ana', '/api/lti/courses/MAT101')).status).toBe(200);
  });

  it('exports no personal data: spreadsheets, printed reports, receipts', async () => {
    for (const path of [
      `/api/sessions/${sessionId}/export?format=csv`,
      '/api/courses/MAT101/export?format=csv',
      '/api/courses/MAT101/at-risk?format=csv',
      '/api/courses/MAT101/students/2/report',
      `/api/sessions/${sessionId}/receipts`,
    ]) {
      expect(await status('diego', path), path).toBe(403);
      expect(await status('rosa', path), path).toBe(200);
    }
  });

  it('does not see or decide justifications, which a co-teacher decides; the refusal says why in Spanish and English', async () => {
    const asked = await api('maria', '/api/me/justifications', { method: 'POST', body: { sessionId, reason: 'Control médico' } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(await refused('diego', '/api/courses/MAT101/justifications')).toEqual([403, 'COURSE_RIGHT_MISSING']);
    const decision = await api('diego', `/api/justifications/${asked.body.id}/decision`, { method: 'POST', body: { decision: 'approved', note: null } });
    expect([decision.status, decision.body.error.code]).toEqual([403, 'COURSE_RIGHT_MISSING']);
    expect(decision.body.error.message).toBe('Como ayudante de este curso no puedes ver ni decidir justificaciones. Pídeselo al docente del curso.');
    const english = await fetch(`${door.apache.httpUrl}/asistencia/api/courses/MAT101/justifications`, { headers: { authorization: `Bearer ${tokens.diego}`, 'accept-language': 'en' } });
    expect(((await english.json()) as { error: { message: string } }).error.message).toBe('As teaching assistant of this course you cannot see or decide justifications. Ask the course’s teacher.');
    expect((await api('rosa', '/api/courses/MAT101/justifications')).status).toBe(200);
    const approved = await api('rosa', `/api/justifications/${asked.body.id}/decision`, { method: 'POST', body: { decision: 'approved', note: null } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  });
});

describe('a co-teacher', () => {
  it('changes the course’s settings, as its teacher does', async () => {
    const minimum = await api('rosa', '/api/courses/MAT101/minimum', { method: 'PUT', body: { percent: 70, reason: 'Acuerdo con Ana' } });
    expect(minimum.status, JSON.stringify(minimum.body)).toBe(200);
    expect((await api('rosa', '/api/courses/MAT101/grade-policy', { method: 'PUT', body: { ...policy, reason: 'Acuerdo con Ana' } })).status).toBe(200);
    expect((await api('rosa', `/api/sessions/${sessionId}/students/4/correction`, { method: 'POST', body: { status: 'excused', reason: 'Certificado médico' } })).status).toBe(200);
  });
});

describe('a teacher of another course', () => {
  it('gets 403 on every door of this one', async () => {
    expect(await refused('pedro', `/api/sessions/${sessionId}`)).toEqual([403, 'SESSION_NOT_YOURS']);
    expect(await refused('pedro', `/api/sessions/${sessionId}/students/2/correction`, { method: 'POST', body: { status: 'manual_present', reason: 'No es mi curso' } })).toEqual([403, 'SESSION_NOT_YOURS']);
    expect(await refused('pedro', '/api/courses/MAT101/attendance')).toEqual([403, 'COURSE_NOT_YOURS']);
    expect(await refused('pedro', '/api/courses/MAT101/minimum', { method: 'PUT', body: { percent: 50, reason: 'No es mi curso' } })).toEqual([403, 'COURSE_NOT_YOURS']);
    expect(await refused('pedro', '/api/courses/MAT101/justifications')).toEqual([403, 'COURSE_NOT_YOURS']);
    expect(await refused('pedro', '/api/sessions', { method: 'POST', body: draftSession() })).toEqual([403, 'SESSION_COURSE_NOT_YOURS']);
    expect(await status('pedro', '/api/courses/MAT101/export?format=csv')).toBe(403);
  });
});
