import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession, type Json } from '../support/api.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * Sessions planned ahead, through the API against the real PostgreSQL: a weekly series (one session per
 * class, the same local time across a change of summer time, at most SESSION_SERIES_MAX_OCCURRENCES),
 * edits and deletions before a session opens (409 after, audited), and the list a page at a time,
 * filtered by course and by dates in TIME_ZONE.
 */
const MAX = 12;
let service: RunningService;
let teacher: ReturnType<typeof apiAs>;
let other: ReturnType<typeof apiAs>;
let admin: ReturnType<typeof apiAs>;

beforeAll(async () => {
  service = await startService({ env: { SESSION_SERIES_MAX_OCCURRENCES: String(MAX), SESSION_LIST_LIMIT: '50', SESSION_LIST_PAGE_SIZE: '5' } });
  teacher = apiAs(service.baseUrl, users.teacher);
  other = apiAs(service.baseUrl, users.otherTeacher);
  admin = apiAs(service.baseUrl, users.admin);
});
afterAll(() => service?.stop());

/** Mondays and Wednesdays 09:30–11:00 in Santiago, across the end of summer time (24:00, Saturday 4 April 2026). */
const series = (overrides: Record<string, unknown> = {}) => ({
  courseId: 'MAT101',
  room: 'Aula 305',
  weekdays: [1, 3],
  startTime: '09:30',
  endTime: '11:00',
  firstDate: '2026-03-23',
  untilDate: '2026-04-13',
  roundsPlanned: 2,
  ...overrides,
});

const count = async (sql: string, params: unknown[] = []) => (await service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n;
const santiago = (iso: string) => new Date(iso).toLocaleString('en-GB', { timeZone: 'America/Santiago', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The teacher's request with an English reader's Accept-Language. */
async function inEnglish(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${service.baseUrl}/asistencia${path}`, {
    method,
    headers: { authorization: `Bearer ${await portalToken(users.teacher)}`, 'accept-language': 'en', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

async function scheduled(overrides: Record<string, unknown> = {}): Promise<Json> {
  const created = await teacher.post('/api/sessions', draftSession(overrides));
  expect(created.status).toBe(201);
  return created.body;
}

describe('a weekly series', () => {
  it('makes one ordinary session per class, at 09:30 local time on both sides of the change of time', async () => {
    const created = await teacher.post('/api/session-series', series());
    expect(created.status).toBe(201);
    expect(created.body.timeZone).toBe('America/Santiago');
    const sessions: Json[] = created.body.sessions;
    expect(sessions).toHaveLength(7);
    expect(sessions.map((s) => s.plannedStart)).toEqual([
      '2026-03-23T12:30:00.000Z',
      '2026-03-25T12:30:00.000Z',
      '2026-03-30T12:30:00.000Z',
      '2026-04-01T12:30:00.000Z',
      '2026-04-06T13:30:00.000Z',
      '2026-04-08T13:30:00.000Z',
      '2026-04-13T13:30:00.000Z',
    ]);
    // Before and after the change: the same wall clock, the same length.
    expect(new Set(sessions.map((s) => `${santiago(s.plannedStart)}–${santiago(s.plannedEnd).slice(-5)}`))).toEqual(
      new Set(['Mon 09:30–11:00', 'Wed 09:30–11:00']),
    );
    for (const s of sessions) {
      expect(s).toMatchObject({ courseId: 'MAT101', courseName: 'Cálculo I', teacherId: '1', room: 'Aula 305', roundsPlanned: 2, state: 'scheduled', seriesId: created.body.seriesId });
    }
    expect(await count('attendance.sessions WHERE series_id = $1', [created.body.seriesId])).toBe(7);
    const { rows } = await service.db.query('SELECT weekdays, start_time, end_time, time_zone, occurrences FROM attendance.session_series WHERE id = $1', [created.body.seriesId]);
    expect(rows).toEqual([{ weekdays: [1, 3], start_time: '09:30:00', end_time: '11:00:00', time_zone: 'America/Santiago', occurrences: 7 }]);
  });

  it('refuses more classes than SESSION_SERIES_MAX_OCCURRENCES with 400 saying how many, and stores nothing', async () => {
    const before = await count('attendance.sessions');
    // Every weekday for three weeks: 21 classes.
    const refused = await teacher.post('/api/session-series', series({ weekdays: [1, 2, 3, 4, 5, 6, 7], untilDate: '2026-04-12' }));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'SERIES_TOO_MANY', message: `La serie tendría 21 clases y el máximo es ${MAX}. Elige una fecha final más cercana o menos días.` });
    // A last date far away is refused just as fast, in the reader's language.
    const far = await teacher.call('POST', '/api/session-series', series({ untilDate: '2999-12-31' }));
    expect(far.body.error.code).toBe('SERIES_TOO_MANY');
    const english = await inEnglish('POST', '/api/session-series', series({ weekdays: [1, 2, 3, 4, 5, 6, 7], untilDate: '2026-04-12' }));
    expect(english.body.error.message).toBe(`The series would have 21 classes and the maximum is ${MAX}. Choose an earlier last date or fewer days.`);
    // Exactly at the limit is allowed.
    const atLimit = await teacher.post('/api/session-series', series({ weekdays: [1, 2, 3, 4, 5, 6], firstDate: '2026-05-04', untilDate: '2026-05-16' }));
    expect(atLimit.status).toBe(201);
    expect(atLimit.body.sessions).toHaveLength(MAX);
    expect(await count('attendance.sessions')).toBe(before + MAX);
  });

  it('validates the series: 400s that change nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ weekdays: [] }, 'VALIDATION_FAILED'],
      [{ weekdays: [0] }, 'VALIDATION_FAILED'],
      [{ weekdays: [1, 1] }, 'VALIDATION_FAILED'],
      [{ startTime: '9:30' }, 'VALIDATION_FAILED'],
      [{ endTime: '24:00' }, 'VALIDATION_FAILED'],
      [{ firstDate: '2026-02-30' }, 'VALIDATION_FAILED'],
      [{ untilDate: '1999-12-31' }, 'VALIDATION_FAILED'],
      [{ plannedStart: new Date().toISOString() }, 'VALIDATION_FAILED'],
      [{ endTime: '09:00' }, 'SESSION_INVALID_TIMES'],
      [{ untilDate: '2026-03-01' }, 'SERIES_INVALID_DATES'],
      [{ weekdays: [5], untilDate: '2026-03-24' }, 'SERIES_EMPTY'],
      [{ rotationPeriodMs: 200 }, 'SESSION_INVALID_PERIOD'],
      [{ courseId: 'FIS201' }, 'SESSION_COURSE_NOT_YOURS'],
    ];
    const before = [await count('attendance.sessions'), await count('attendance.session_series')];
    for (const [overrides, code] of cases) {
      const response = await teacher.post('/api/session-series', series(overrides));
      expect(response.status, JSON.stringify(overrides)).toBeGreaterThanOrEqual(400);
      expect(response.status, JSON.stringify(overrides)).toBeLessThan(500);
      expect(response.body.error.code, JSON.stringify(overrides)).toBe(code);
    }
    expect([await count('attendance.sessions'), await count('attendance.session_series')]).toEqual(before);
  });

  it('each class is edited and deleted on its own', async () => {
    const { body } = await teacher.post('/api/session-series', series({ firstDate: '2026-06-01', untilDate: '2026-06-10' }));
    const [first, second, third] = body.sessions as Json[];
    const edited = await teacher.call('PATCH', `/api/sessions/${second.id}`, { room: 'Aula Magna' });
    expect(edited.body).toMatchObject({ id: second.id, room: 'Aula Magna', seriesId: body.seriesId });
    expect((await teacher.call('DELETE', `/api/sessions/${third.id}`)).status).toBe(204);
    const rooms = await service.db.query('SELECT id, room FROM attendance.sessions WHERE series_id = $1 ORDER BY planned_start', [body.seriesId]);
    expect(rooms.rows.map((r) => r.room)).toEqual(['Aula 305', 'Aula Magna', 'Aula 305']);
    expect(rooms.rows.map((r) => r.id)).not.toContain(third.id);
    expect(rooms.rows[0]!.id).toBe(first.id);
  });
});

describe('editing a session before it opens', () => {
  it('changes room, times and rounds, and audits what it was and what it became', async () => {
    const session = await scheduled();
    const start = new Date(Date.now() + 86_400_000);
    const changes = { room: 'Lab 2', plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(), roundsPlanned: 4 };
    const edited = await teacher.call('PATCH', `/api/sessions/${session.id}`, changes);
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ ...changes, plannedStart: start.toISOString(), state: 'scheduled' });
    expect((await teacher.get(`/api/sessions/${session.id}`)).body.session).toMatchObject(changes);
    const audit = await service.db.query('SELECT action, before, after, actor_id, actor_role FROM attendance.session_changes WHERE session_id = $1', [session.id]);
    expect(audit.rows).toEqual([
      {
        action: 'edited',
        before: expect.objectContaining({ room: 'Aula 204', roundsPlanned: 2, plannedStart: session.plannedStart }),
        after: expect.objectContaining({ room: 'Lab 2', roundsPlanned: 4, plannedStart: start.toISOString() }),
        actor_id: '1',
        actor_role: 'teacher',
      },
    ]);
  });

  it('refuses once the session opened or closed, with 409 in tú, and changes nothing', async () => {
    const session = await scheduled();
    await teacher.post(`/api/sessions/${session.id}/open`);
    const refused = await teacher.call('PATCH', `/api/sessions/${session.id}`, { room: 'Lab 9' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'SESSION_NOT_EDITABLE', message: 'Esta sesión ya se abrió: ya no puedes cambiar su sala, su horario ni sus rondas.' });
    await teacher.post(`/api/sessions/${session.id}/close`);
    expect((await teacher.call('PATCH', `/api/sessions/${session.id}`, { roundsPlanned: 3 })).body.error.code).toBe('SESSION_NOT_EDITABLE');
    const row = await service.db.query('SELECT room, rounds_planned FROM attendance.sessions WHERE id = $1', [session.id]);
    expect(row.rows).toEqual([{ room: 'Aula 204', rounds_planned: 2 }]);
    expect(await count('attendance.session_changes WHERE session_id = $1', [session.id])).toBe(0);
  });

  it('validates: 400s that change nothing', async () => {
    const session = await scheduled();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'SESSION_EDIT_EMPTY'],
      [{ room: '' }, 'VALIDATION_FAILED'],
      [{ room: 'x'.repeat(81) }, 'VALIDATION_FAILED'],
      [{ roundsPlanned: 0 }, 'VALIDATION_FAILED'],
      [{ roundsPlanned: 11 }, 'VALIDATION_FAILED'],
      [{ plannedStart: 'tomorrow' }, 'VALIDATION_FAILED'],
      [{ state: 'closed' }, 'VALIDATION_FAILED'],
      [{ teacherId: '6' }, 'VALIDATION_FAILED'],
      // The new start after the (kept) end.
      [{ plannedStart: new Date(Date.now() + 3 * 3_600_000).toISOString() }, 'SESSION_INVALID_TIMES'],
      [{ plannedEnd: new Date(Date.now() - 3_600_000).toISOString() }, 'SESSION_INVALID_TIMES'],
    ];
    for (const [body, code] of cases) {
      const response = await teacher.call('PATCH', `/api/sessions/${session.id}`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code, JSON.stringify(body)).toBe(code);
    }
    expect((await teacher.get(`/api/sessions/${session.id}`)).body.session).toMatchObject({ room: 'Aula 204', roundsPlanned: 2, plannedStart: session.plannedStart, plannedEnd: session.plannedEnd });
    expect(await count('attendance.session_changes WHERE session_id = $1', [session.id])).toBe(0);
  });

  it('refuses another teacher (403), lets an admin, answers 404 for an unknown session', async () => {
    const session = await scheduled();
    const refused = await other.call('PATCH', `/api/sessions/${session.id}`, { room: 'Mía' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('SESSION_NOT_YOURS');
    expect((await other.call('DELETE', `/api/sessions/${session.id}`)).body.error.code).toBe('SESSION_NOT_YOURS');
    expect((await teacher.get(`/api/sessions/${session.id}`)).body.session.room).toBe('Aula 204');
    const student = apiAs(service.baseUrl, users.student);
    expect((await student.call('PATCH', `/api/sessions/${session.id}`, { room: 'X' })).status).toBe(403);
    const byAdmin = await admin.call('PATCH', `/api/sessions/${session.id}`, { room: 'Auditorio' });
    expect(byAdmin.body.room).toBe('Auditorio');
    const audit = await service.db.query('SELECT actor_id, actor_role FROM attendance.session_changes WHERE session_id = $1', [session.id]);
    expect(audit.rows).toEqual([{ actor_id: '5', actor_role: 'admin' }]);
    expect((await teacher.call('PATCH', '/api/sessions/00000000-0000-4000-8000-000000000000', { room: 'X' })).status).toBe(404);
  });
});

describe('deleting a session that never opened', () => {
  it('deletes it (204) and audits what it was', async () => {
    const session = await scheduled({ room: 'Aula 101' });
    const deleted = await teacher.call('DELETE', `/api/sessions/${session.id}`);
    expect(deleted.status).toBe(204);
    expect((await teacher.get(`/api/sessions/${session.id}`)).status).toBe(404);
    const audit = await service.db.query('SELECT action, course_id, before, after, actor_id FROM attendance.session_changes WHERE session_id = $1', [session.id]);
    expect(audit.rows).toEqual([
      { action: 'deleted', course_id: 'MAT101', before: expect.objectContaining({ room: 'Aula 101', courseName: 'Cálculo I' }), after: null, actor_id: '1' },
    ]);
    expect((await teacher.call('DELETE', `/api/sessions/${session.id}`)).status).toBe(404);
  });

  it('refuses once it opened (409), and keeps it with its roster', async () => {
    const session = await scheduled();
    await teacher.post(`/api/sessions/${session.id}/open`);
    const refused = await teacher.call('DELETE', `/api/sessions/${session.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'SESSION_NOT_DELETABLE', message: expect.stringMatching(/^Esta sesión ya se abrió/) });
    await teacher.post(`/api/sessions/${session.id}/close`);
    expect((await teacher.call('DELETE', `/api/sessions/${session.id}`)).status).toBe(409);
    expect(await count('attendance.sessions WHERE id = $1', [session.id])).toBe(1);
    expect(await count('attendance.registrations WHERE session_id = $1', [session.id])).toBe(3);
    expect(await count('attendance.session_changes WHERE session_id = $1', [session.id])).toBe(0);
  });

  it('speaks the reader’s language', async () => {
    const session = await scheduled();
    await teacher.post(`/api/sessions/${session.id}/open`);
    const response = await inEnglish('DELETE', `/api/sessions/${session.id}`);
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(/^This session has already been opened and holds attendance/);
  });
});

describe('the list of sessions', () => {
  let mine: Json[];

  beforeAll(async () => {
    // A fresh service: only this block's sessions. Teacher 1 has 9 in MAT101 (two weeks of Mon/Wed/Fri plus
    // the following Monday, 08:00 in Santiago); Pedro (teacher 6) has 3 in FIS201 in the same weeks.
    await service.stop();
    service = await startService({ env: { SESSION_LIST_LIMIT: '50', SESSION_LIST_PAGE_SIZE: '4' } });
    teacher = apiAs(service.baseUrl, users.teacher);
    other = apiAs(service.baseUrl, users.otherTeacher);
    admin = apiAs(service.baseUrl, users.admin);
    const plan = { room: 'Aula 1', weekdays: [1, 3, 5], startTime: '08:00', endTime: '09:30', firstDate: '2026-08-03', untilDate: '2026-08-17' };
    mine = (await teacher.post('/api/session-series', { ...plan, courseId: 'MAT101' })).body.sessions;
    expect(mine).toHaveLength(7);
    expect((await other.post('/api/session-series', { ...plan, courseId: 'FIS201', weekdays: [2], untilDate: '2026-08-18' })).body.sessions).toHaveLength(3);
  });

  const pages = async (client: ReturnType<typeof apiAs>, query: string) => {
    const seen: Json[] = [];
    let cursor: string | null = null;
    let requests = 0;
    do {
      const response: Json = await client.get(`/api/sessions?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      seen.push(...response.body.sessions);
      cursor = response.body.nextCursor;
      requests += 1;
    } while (cursor && requests < 20);
    return { seen, requests };
  };

  it('pages newest first (SESSION_LIST_PAGE_SIZE by default), each session once, only the teacher’s', async () => {
    const first = await teacher.get('/api/sessions');
    expect(first.body.sessions).toHaveLength(4);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const { seen, requests } = await pages(teacher, 'limit=3');
    expect(requests).toBe(3);
    expect(seen.map((s) => s.plannedStart)).toEqual(mine.map((s) => s.plannedStart).reverse());
    expect(new Set(seen.map((s) => s.teacherId))).toEqual(new Set(['1']));
  });

  it('pages oldest first when asked, and the last page says there is no more', async () => {
    const { seen } = await pages(teacher, 'order=asc&limit=2');
    expect(seen.map((s) => s.id)).toEqual(mine.map((s) => s.id));
    const last = await teacher.get('/api/sessions?order=asc&limit=7');
    expect(last.body.nextCursor).toBeNull();
  });

  it('filters by dates in TIME_ZONE (both included) and by course', async () => {
    // 7 to 12 August in Santiago: Friday 7, Monday 10, Wednesday 12.
    const { seen } = await pages(teacher, 'from=2026-08-07&to=2026-08-12&order=asc');
    expect(seen.map((s) => santiago(s.plannedStart))).toEqual(['Fri 08:00', 'Mon 08:00', 'Wed 08:00']);
    const byAdmin = await pages(admin, 'courseId=FIS201&limit=2');
    expect(byAdmin.seen.map((s) => s.courseId)).toEqual(['FIS201', 'FIS201', 'FIS201']);
    const all = await pages(admin, 'limit=50');
    expect(all.seen).toHaveLength(10);
    expect((await teacher.get('/api/sessions?courseId=FIS201')).body.sessions).toEqual([]);
  });

  it('refuses bad paging and filters with 400: size over SESSION_LIST_LIMIT, a forged cursor, inverted dates, unknown fields', async () => {
    for (const query of ['limit=51', 'limit=0', 'limit=abc', 'cursor=abc', `cursor=${Buffer.from('yesterday_1').toString('base64url')}`, 'from=2026-13-01', 'order=up', 'teacherId=6', 'from=2026-08-12&to=2026-08-07']) {
      const response = await teacher.get(`/api/sessions?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toBe(query.startsWith('from=2026-08-12') ? 'SESSION_LIST_INVALID_RANGE' : 'VALIDATION_FAILED');
    }
  });
});
