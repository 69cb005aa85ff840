import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type Json } from '../support/api.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';

/**
 * A teacher's semester against the real PostgreSQL: a weekly series skips Chile's public holidays (shipped
 * by migration 017, edited by an admin) and the recesses it is given, and says which dates it skipped and
 * why; a series is changed or deleted as a whole or from one class on, never touching a class that ran; a
 * timetable (CSV) is imported all rows or none, each bad row named.
 */
const MAX_ROWS = 5;
const MAX_BYTES = 600;
let service: RunningService;
let teacher: ReturnType<typeof apiAs>;
let other: ReturnType<typeof apiAs>;
let admin: ReturnType<typeof apiAs>;

beforeAll(async () => {
  service = await startService({ env: { SESSION_IMPORT_MAX_ROWS: String(MAX_ROWS), SESSION_IMPORT_MAX_BYTES: String(MAX_BYTES) } });
  teacher = apiAs(service.baseUrl, users.teacher);
  other = apiAs(service.baseUrl, users.otherTeacher);
  admin = apiAs(service.baseUrl, users.admin);
});
afterAll(() => service?.stop());

const series = (overrides: Record<string, unknown> = {}) => ({
  courseId: 'MAT101',
  room: 'Aula 305',
  weekdays: [1, 5],
  startTime: '09:30',
  endTime: '11:00',
  firstDate: '2027-03-22',
  untilDate: '2027-04-02',
  ...overrides,
});
const count = async (sql: string, params: unknown[] = []) => (await service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n;
const santiago = (iso: string) => new Date(iso).toLocaleString('sv-SE', { timeZone: 'America/Santiago' }).slice(0, 16);

describe('feriados and recesses', () => {
  it('a weekly series makes no class on a public holiday of the shipped list, and says which and why', async () => {
    const created = await teacher.post('/api/session-series', series());
    expect(created.status).toBe(201);
    // Mondays and Fridays from 22 March to 2 April 2027: Friday 26 March is Viernes Santo.
    expect(created.body.sessions.map((s: Json) => santiago(s.plannedStart))).toEqual(['2027-03-22 09:30', '2027-03-29 09:30', '2027-04-02 09:30']);
    expect(created.body.skipped).toEqual([{ date: '2027-03-26', reason: 'holiday', name: 'Viernes Santo' }]);
    const { rows } = await service.db.query('SELECT occurrences, skipped FROM attendance.session_series WHERE id = $1', [created.body.seriesId]);
    expect(rows).toEqual([{ occurrences: 3, skipped: [{ date: '2027-03-26', reason: 'holiday', name: 'Viernes Santo' }] }]);
  });

  it('a recess given with the series is skipped as well, each date named with its recess', async () => {
    const created = await teacher.post(
      '/api/session-series',
      series({ weekdays: [1, 3], firstDate: '2027-09-13', untilDate: '2027-09-29', recesses: [{ from: '2027-09-20', to: '2027-09-24', name: 'Receso de Fiestas Patrias' }] }),
    );
    expect(created.status).toBe(201);
    expect(created.body.sessions.map((s: Json) => santiago(s.plannedStart).slice(0, 10))).toEqual(['2027-09-13', '2027-09-15', '2027-09-27', '2027-09-29']);
    expect(created.body.skipped).toEqual([
      { date: '2027-09-20', reason: 'recess', name: 'Receso de Fiestas Patrias' },
      { date: '2027-09-22', reason: 'recess', name: 'Receso de Fiestas Patrias' },
    ]);
  });

  it('a series whose every class is skipped is refused and stores nothing; an inverted recess is a 400', async () => {
    const before = [await count('attendance.sessions'), await count('attendance.session_series')];
    const allSkipped = await teacher.post('/api/session-series', series({ weekdays: [5], firstDate: '2027-03-26', untilDate: '2027-03-26' }));
    expect(allSkipped.status).toBe(400);
    expect(allSkipped.body.error).toMatchObject({ code: 'SERIES_ALL_SKIPPED', message: 'Todas las clases de la serie caen en feriados o recesos (1 fechas omitidas): no se creó nada.' });
    const inverted = await teacher.post('/api/session-series', series({ recesses: [{ from: '2027-03-30', to: '2027-03-29' }] }));
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.code).toBe('VALIDATION_FAILED');
    expect([await count('attendance.sessions'), await count('attendance.session_series')]).toEqual(before);
  });

  it('an admin adds, renames and removes a holiday; a teacher reads the list but cannot change it', async () => {
    const listed = await teacher.get('/api/holidays');
    expect(listed.status).toBe(200);
    expect(listed.body.holidays).toContainEqual({ date: '2027-09-18', name: 'Independencia Nacional' });
    expect(listed.body.holidays).toHaveLength(16);

    expect((await teacher.call('PUT', '/api/admin/holidays/2027-04-05', { name: 'Feriado regional' })).status).toBe(403);
    expect((await admin.call('PUT', '/api/admin/holidays/2027-04-05', { name: 'Feriado' })).status).toBe(204);
    expect((await admin.call('PUT', '/api/admin/holidays/2027-04-05', { name: 'Feriado regional' })).status).toBe(204);
    const created = await teacher.post('/api/session-series', series({ firstDate: '2027-04-05', untilDate: '2027-04-12' }));
    expect(created.body.skipped).toEqual([{ date: '2027-04-05', reason: 'holiday', name: 'Feriado regional' }]);
    expect(created.body.sessions).toHaveLength(2);

    expect((await admin.call('DELETE', '/api/admin/holidays/2027-04-05')).status).toBe(204);
    const again = await admin.call('DELETE', '/api/admin/holidays/2027-04-05');
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('HOLIDAY_NOT_FOUND');
    for (const [path, body] of [
      ['/api/admin/holidays/2027-02-30', { name: 'x' }],
      ['/api/admin/holidays/2027-04-06', { name: '' }],
      ['/api/admin/holidays/2027-04-06', { name: 'x', extra: 1 }],
    ] as const) {
      expect((await admin.call('PUT', path, body)).status, path).toBe(400);
    }
    expect(await count('attendance.holidays')).toBe(16);
  });
});

describe('a series changed or deleted from one class on', () => {
  /** Mondays 08:30–10:00 from 3 May 2027: four classes, the first of which ran. */
  async function seriesWithOneRun() {
    const created = await teacher.post('/api/session-series', series({ weekdays: [1], startTime: '08:30', endTime: '10:00', firstDate: '2027-05-03', untilDate: '2027-05-24' }));
    const sessions = created.body.sessions as Json[];
    expect(sessions).toHaveLength(4);
    expect((await teacher.post(`/api/sessions/${sessions[0].id}/open`)).status).toBe(200);
    expect((await teacher.post(`/api/sessions/${sessions[0].id}/close`)).status).toBe(200);
    return { seriesId: created.body.seriesId as string, ids: sessions.map((s) => s.id as string) };
  }
  const times = async (seriesId: string) =>
    (await service.db.query<{ room: string; planned_start: Date; planned_end: Date; state: string }>('SELECT id, room, planned_start, planned_end, state FROM attendance.sessions WHERE series_id = $1 ORDER BY planned_start', [seriesId])).rows.map(
      (r) => `${santiago(r.planned_start.toISOString())}–${santiago(r.planned_end.toISOString()).slice(11)} ${r.room} ${r.state}`,
    );

  it('changes times and room from this class on, each class on its own date; a class that ran is kept and said', async () => {
    const { seriesId, ids } = await seriesWithOneRun();
    const changed = await teacher.call('PATCH', `/api/session-series/${seriesId}`, { fromSessionId: ids[2], startTime: '10:00', endTime: '12:00', room: 'Lab 2' });
    expect(changed.status).toBe(200);
    expect(changed.body.changed.map((s: Json) => s.id)).toEqual([ids[2], ids[3]]);
    expect(changed.body.kept).toEqual([]);
    expect(await times(seriesId)).toEqual([
      '2027-05-03 08:30–10:00 Aula 305 closed',
      '2027-05-10 08:30–10:00 Aula 305 scheduled',
      '2027-05-17 10:00–12:00 Lab 2 scheduled',
      '2027-05-24 10:00–12:00 Lab 2 scheduled',
    ]);
    // The whole series: the class that ran stays as it happened, and the answer says so.
    const whole = await teacher.call('PATCH', `/api/session-series/${seriesId}`, { endTime: '10:30', roundsPlanned: 3 });
    expect(whole.body.changed.map((s: Json) => s.id)).toEqual([ids[1], ids[2], ids[3]]);
    expect(whole.body.kept.map((s: Json) => [s.id, s.state])).toEqual([[ids[0], 'closed']]);
    expect(await times(seriesId)).toEqual([
      '2027-05-03 08:30–10:00 Aula 305 closed',
      '2027-05-10 08:30–10:30 Aula 305 scheduled',
      '2027-05-17 10:00–10:30 Lab 2 scheduled',
      '2027-05-24 10:00–10:30 Lab 2 scheduled',
    ]);
    expect(await count(`attendance.session_changes WHERE session_id = ANY($1) AND action = 'edited'`, [ids])).toBe(5);
    expect(await count('attendance.sessions WHERE id = $1 AND rounds_planned = 1', [ids[0]])).toBe(1);
  });

  it('an edit that would end a later class before it starts changes no class at all, not even the earlier ones', async () => {
    const { seriesId, ids } = await seriesWithOneRun();
    expect((await teacher.call('PATCH', `/api/session-series/${seriesId}`, { fromSessionId: ids[3], startTime: '10:00', endTime: '11:00' })).status).toBe(200);
    const before = await times(seriesId);
    // 09:30 suits the classes at 08:30 and ends the last one (10:00) before it starts: all or none.
    const refused = await teacher.call('PATCH', `/api/session-series/${seriesId}`, { endTime: '09:30' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('SESSION_INVALID_TIMES');
    expect(await times(seriesId)).toEqual(before);
    const inverted = await teacher.call('PATCH', `/api/session-series/${seriesId}`, { startTime: '09:00', endTime: '08:00' });
    expect(inverted.body.error.code).toBe('SESSION_INVALID_TIMES');
    expect(await times(seriesId)).toEqual(before);
  });

  it('deletes from this class on, keeping a class that opened (with attendance) and saying so', async () => {
    const { seriesId, ids } = await seriesWithOneRun();
    expect((await teacher.post(`/api/sessions/${ids[2]}/open`)).status).toBe(200);
    const removed = await teacher.call('DELETE', `/api/session-series/${seriesId}?from=${ids[1]}`);
    expect(removed.status).toBe(200);
    expect(removed.body.deleted).toBe(2);
    expect(removed.body.kept.map((s: Json) => [s.id, s.state])).toEqual([[ids[2], 'open']]);
    expect(await times(seriesId)).toEqual(['2027-05-03 08:30–10:00 Aula 305 closed', '2027-05-17 08:30–10:00 Aula 305 open']);
    expect(await count(`attendance.session_changes WHERE session_id = ANY($1) AND action = 'deleted'`, [[ids[1], ids[3]]])).toBe(2);
    // Nothing left to delete: the classes that ran are all that remain, and remain.
    const whole = await teacher.call('DELETE', `/api/session-series/${seriesId}`);
    expect(whole.body).toMatchObject({ deleted: 0 });
    expect(whole.body.kept).toHaveLength(2);
  });

  it('refuses another teacher, a class of another series, an unknown series and empty changes, changing nothing', async () => {
    const { seriesId, ids } = await seriesWithOneRun();
    const { ids: others } = await seriesWithOneRun();
    const before = await times(seriesId);
    const cases: Array<[ReturnType<typeof apiAs>, string, string, unknown, number, string]> = [
      [other, 'PATCH', `/api/session-series/${seriesId}`, { room: 'X' }, 403, 'SESSION_NOT_YOURS'],
      [other, 'DELETE', `/api/session-series/${seriesId}`, undefined, 403, 'SESSION_NOT_YOURS'],
      [teacher, 'PATCH', `/api/session-series/${seriesId}`, { fromSessionId: others[1], room: 'X' }, 400, 'SERIES_FROM_NOT_IN_SERIES'],
      [teacher, 'DELETE', `/api/session-series/${seriesId}?from=${others[1]}`, undefined, 400, 'SERIES_FROM_NOT_IN_SERIES'],
      [teacher, 'PATCH', '/api/session-series/00000000-0000-4000-8000-000000000000', { room: 'X' }, 404, 'SERIES_NOT_FOUND'],
      [teacher, 'PATCH', `/api/session-series/${seriesId}`, {}, 400, 'SESSION_EDIT_EMPTY'],
      [teacher, 'PATCH', `/api/session-series/${seriesId}`, { startTime: '25:00' }, 400, 'VALIDATION_FAILED'],
      [teacher, 'PATCH', `/api/session-series/not-a-uuid`, { room: 'X' }, 400, 'VALIDATION_FAILED'],
      [teacher, 'DELETE', `/api/session-series/${seriesId}?from=nope`, undefined, 400, 'VALIDATION_FAILED'],
    ];
    for (const [who, method, path, body, status, code] of cases) {
      const response = await who.call(method, path, body);
      expect([response.status, response.body.error.code], `${method} ${path}`).toEqual([status, code]);
    }
    expect(await times(seriesId)).toEqual(before);
    expect(ids).toHaveLength(4);
  });
});

describe('a timetable imported from CSV', () => {
  const importing = (csv: string, preview = false) => teacher.post('/api/session-imports', { courseId: 'MAT101', csv, preview });

  it('reads what Excel in es-CL writes (BOM, semicolons, CRLF, DD-MM-YYYY, quoted room) and imports every row', async () => {
    const csv = '\uFEFFfecha;inicio;término;sala\r\n04-10-2027;09:30;11:00;"Sala 1; edificio B"\r\n11/10/2027;9:30;11:00;Aula 305\r\n\r\n';
    const before = await count('attendance.sessions');
    const preview = await importing(csv, true);
    expect(preview.status).toBe(200);
    expect(preview.body.issues).toEqual([]);
    expect(preview.body.classes.map((c: Json) => [c.row, c.date, c.startTime, c.endTime, c.room, c.holiday])).toEqual([
      [2, '2027-10-04', '09:30', '11:00', 'Sala 1; edificio B', null],
      [3, '2027-10-11', '09:30', '11:00', 'Aula 305', 'Encuentro de Dos Mundos'],
    ]);
    expect(await count('attendance.sessions')).toBe(before); // a preview stores nothing
    const imported = await importing(csv);
    expect(imported.status).toBe(201);
    expect(imported.body.sessions.map((s: Json) => [santiago(s.plannedStart), s.room, s.seriesId])).toEqual([
      ['2027-10-04 09:30', 'Sala 1; edificio B', null],
      ['2027-10-11 09:30', 'Aula 305', null],
    ]);
    expect(await count('attendance.sessions')).toBe(before + 2);
  });

  it('reads commas and a duration in minutes instead of the end', async () => {
    const imported = await importing('date,start,duration,room\n2027-10-18,14:00,90,Aula 101\n');
    expect(imported.status).toBe(201);
    expect(imported.body.sessions.map((s: Json) => [santiago(s.plannedStart), santiago(s.plannedEnd)])).toEqual([['2027-10-18 14:00', '2027-10-18 15:30']]);
  });

  it('imports nothing while one row is wrong, naming each bad row and what to fix, in Spanish and English', async () => {
    const before = await count('attendance.sessions');
    const csv = 'fecha;inicio;termino;sala\n2027-10-25;09:30;11:00;Aula 305\n2027-10-32;09:30;11:00;Aula 305\n2027-11-08;11:00;09:30;\n';
    const preview = await importing(csv, true);
    expect(preview.body.classes).toHaveLength(1);
    expect(preview.body.issues).toEqual([
      { row: 3, es: 'Fila 3: la fecha «2027-10-32» no es válida (escribe AAAA-MM-DD o DD-MM-AAAA).', en: 'Row 3: the date "2027-10-32" is not valid (write YYYY-MM-DD or DD-MM-YYYY).' },
      {
        row: 4,
        es: 'Fila 4: la hora de término (09:30) debe ser posterior a la de inicio (11:00); falta la sala.',
        en: 'Row 4: the end time (09:30) must be after the start time (11:00); the room is missing.',
      },
    ]);
    const refused = await importing(csv);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'TIMETABLE_INVALID', message: 'El horario tiene 2 filas con errores; corrígelas y vuelve a importar. No se importó ninguna clase.' });
    expect(refused.body.error.details.issues.map((i: Json) => i.row)).toEqual([3, 4]);
    expect(await count('attendance.sessions')).toBe(before);
  });

  it('names a header that lacks columns, refuses more rows than SESSION_IMPORT_MAX_ROWS and more bytes than SESSION_IMPORT_MAX_BYTES', async () => {
    const before = await count('attendance.sessions');
    const header = await importing('fecha;hora;sala\n2027-10-25;09:30;Aula 305\n', true);
    expect(header.body.issues).toEqual([
      expect.objectContaining({ row: 1, es: expect.stringContaining('a la cabecera le faltan columnas: inicio/start, termino/end (o duracion/duration)') }),
    ]);
    const rows = Array.from({ length: MAX_ROWS + 1 }, (_, i) => `2027-11-${String(10 + i).padStart(2, '0')};09:30;11:00;A`).join('\n');
    const tooMany = await importing(`fecha;inicio;termino;sala\n${rows}\n`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details.issues[0].es).toBe(`Fila ${MAX_ROWS + 2}: el archivo tiene ${MAX_ROWS + 1} clases y el máximo es ${MAX_ROWS}; divídelo en varios.`);
    // Under the characters' bound but over the bytes': "á" is two bytes in UTF-8.
    const heavy = await importing(`fecha;inicio;termino;sala\n2027-10-25;09:30;11:00;${'á'.repeat(MAX_BYTES / 2)}\n`);
    expect(heavy.status).toBe(413);
    expect(heavy.body.error.code).toBe('TIMETABLE_TOO_LARGE');
    const wrongCourse = await teacher.post('/api/session-imports', { courseId: 'FIS201', csv: 'fecha;inicio;termino;sala\n2027-10-25;09:30;11:00;A\n' });
    expect(wrongCourse.status).toBe(403);
    const extra = await teacher.post('/api/session-imports', { courseId: 'MAT101', csv: 'x', sessions: [] });
    expect(extra.status).toBe(400);
    expect(await count('attendance.sessions')).toBe(before);
  });
});
