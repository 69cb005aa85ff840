import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { libreOfficeCsv, libreOfficePrintedPages } from '../support/csv.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * XLSX exports a teacher in Chile prints: title rows that say what the sheet is, A4 landscape fitted to one
 * page wide, the header repeated on each page, as LibreOffice Calc prints them.
 */
let service: RunningService;
const sessionIds: string[] = [];
const starts: Date[] = [];
const teacher = () => apiAs(service.baseUrl, users.teacher);
const DAY = 24 * 60 * 60_000;

/** Wall-clock time in TIME_ZONE (its default, America/Santiago) as `YYYY-MM-DD HH:MM`. */
const inZone = (instant: Date) => instant.toLocaleString('sv-SE', { timeZone: 'America/Santiago' }).slice(0, 16);

beforeAll(async () => {
  service = await startService();
  // A course of three students (MAT101's roster) and four classes on four days, each opened and closed.
  for (let day = 4; day >= 1; day -= 1) {
    const start = new Date(Date.now() - day * DAY);
    const created = await teacher().post('/api/sessions', draftSession({ plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString() }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect((await teacher().post(`/api/sessions/${id}/open`)).status).toBe(200);
    expect((await teacher().post(`/api/sessions/${id}/close`)).status).toBe(200);
    sessionIds.push(id);
    starts.push(start);
  }
  const excused = await teacher().post(`/api/sessions/${sessionIds[1]}/students/3/correction`, { status: 'excused', reason: 'Certificado médico' });
  expect(excused.status, JSON.stringify(excused.body)).toBe(200);
  const present = await teacher().post(`/api/sessions/${sessionIds[2]}/students/2/correction`, { status: 'manual_present', reason: 'Olvidó su teléfono' });
  expect(present.status, JSON.stringify(present.body)).toBe(200);
});
afterAll(() => service?.stop());

async function download(path: string, language = 'es') {
  const response = await fetch(`${service.baseUrl}/asistencia${path}`, {
    headers: { authorization: `Bearer ${await portalToken(users.teacher)}`, 'accept-language': language },
  });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function sheetOf(bytes: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook.worksheets[0]!;
}

describe('course XLSX', () => {
  it('has title rows, then the header frozen below them and repeated on each printed page; A4 landscape, one page wide', async () => {
    const sheet = await sheetOf(await download('/api/courses/MAT101/export?format=xlsx'));
    expect(sheet.getCell('A1').value).toBe('Curso: MAT101 Cálculo I');
    expect(sheet.getCell('A2').value).toBe('Docente: Ana Martínez');
    expect(sheet.getCell('A3').value).toMatch(new RegExp(`^Período: ${inZone(starts[0]!).slice(0, 10)} – ${inZone(starts[3]!).slice(0, 10)} \\(4 sesiones; al `));
    expect(sheet.getCell('A4').value).toBe('Asistencia mínima: 75 %');
    expect(sheet.getCell('A5').value).toBe('Nota de asistencia según la política: a la fecha, sin descartar');
    expect(sheet.getCell('B7').value).toBe('Nombre');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 7 });
    expect(sheet.pageSetup).toMatchObject({ orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9, printTitlesRow: '7:7' });
  });

  it('prints a 3-student × 4-session course on one page, and LibreOffice reads back the titles, dates and values', async () => {
    const bytes = await download('/api/courses/MAT101/export?format=xlsx');
    const { pages } = await libreOfficePrintedPages(bytes);
    expect(pages).toBe(1);
    const rows = await libreOfficeCsv(bytes);
    expect(rows[0]![0]).toBe('Curso: MAT101 Cálculo I');
    expect(rows[3]![0]).toBe('Asistencia mínima: 75 %');
    const [header, ...students] = rows.slice(6);
    expect(header!.slice(2, 6)).toEqual(starts.map((start) => `${inZone(start)} Aula 204`));
    const byName = Object.fromEntries(students.map((cells) => [cells[1], cells]));
    expect(Object.keys(byName)).toEqual(['María Gómez', 'José Núñez', 'Luis Pérez']);
    expect(byName['María Gómez']!.slice(2, 6)).toEqual(['Ausente', 'Justificado', 'Ausente', 'Ausente']);
    expect(byName['Luis Pérez']!.slice(2, 6)).toEqual(['Ausente', 'Ausente', 'Presente (manual)', 'Ausente']);
    // The rate and the grade (default policy: the same) as numbers LibreOffice reads (es-CL would show 25,0 or 25): Luis attended 1 of 4.
    expect(byName['Luis Pérez']!.slice(-2).map((cell: string) => Number(cell.replace(',', '.')))).toEqual([25, 25]);
  }, 240_000);

  it('in English, the title rows are in English', async () => {
    const sheet = await sheetOf(await download('/api/courses/MAT101/export?format=xlsx', 'en'));
    expect([1, 2, 4, 5].map((row) => sheet.getCell(`A${row}`).value)).toEqual([
      'Course: MAT101 Cálculo I',
      'Teacher: Ana Martínez',
      'Minimum attendance: 75 %',
      'Attendance grade under the policy: to date, nothing dropped',
    ]);
  });
});

describe('session XLSX', () => {
  it('names the course, teacher, the session’s date, time and room, and prints on one page', async () => {
    const bytes = await download(`/api/sessions/${sessionIds[0]}/export?format=xlsx`);
    const sheet = await sheetOf(bytes);
    const start = inZone(starts[0]!);
    const end = inZone(new Date(starts[0]!.getTime() + 90 * 60_000)).slice(11);
    expect([1, 2, 3, 4, 5].map((row) => sheet.getCell(`A${row}`).value)).toEqual([
      'Curso: MAT101 Cálculo I',
      'Docente: Ana Martínez',
      `Sesión: ${start}–${end}, sala Aula 204`,
      'Asistencia mínima: 75 %',
      'Nota de asistencia según la política: a la fecha, sin descartar',
    ]);
    expect(sheet.pageSetup).toMatchObject({ orientation: 'landscape', fitToWidth: 1, fitToHeight: 0, printTitlesRow: '7:7' });
    expect((await libreOfficePrintedPages(bytes)).pages).toBe(1);
  }, 240_000);
});
