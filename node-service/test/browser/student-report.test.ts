import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { apiAs, draftSession } from '../support/api.js';
import { axeViolations } from '../support/axe.js';
import { type BrowserHarness, launchBrowser, portalSignIn, screenshot } from '../support/browser.js';
import { users } from '../support/tokens.js';

/**
 * The printable per-student report, through Apache and the PHP portal: a student opens their own from
 * "Mi asistencia" on a phone, a teacher a student’s from the course page; Chromium prints it on one A4 page.
 * Who may read which report is checked against the API.
 */
let door: Door;
let browser: BrowserHarness;
const starts: Date[] = [];

beforeAll(async () => {
  door = await startDoor();
  browser = await launchBrowser();
  const teacher = apiAs(door.service.baseUrl, users.teacher);
  // Three classes of Cálculo I, held and closed: nobody confirmed, so all absent; María is excused from the second.
  for (const daysAgo of [3, 2, 1]) {
    const start = new Date(Date.now() - daysAgo * 24 * 60 * 60_000);
    const created = await teacher.post('/api/sessions', draftSession({ plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString() }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await teacher.post(`/api/sessions/${created.body.id}/open`);
    await teacher.post(`/api/sessions/${created.body.id}/close`);
    if (daysAgo === 2) await teacher.post(`/api/sessions/${created.body.id}/students/3/correction`, { status: 'excused', reason: 'Certificado médico' });
    starts.push(start);
  }
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

/** Pages in a PDF: its page objects. */
const pagesOf = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;

const report = (user: { sub: string; role: string; name: string }, course: string, student: string) =>
  apiAs(door.service.baseUrl, user).get(`/api/courses/${course}/students/${student}/report`);

describe('who may read a report', () => {
  test('a student only their own, a teacher only their course’s students, an admin any', async () => {
    expect((await report(users.student, 'MAT101', '2')).status).toBe(200);
    expect((await report(users.student, 'MAT101', '3')).status).toBe(403);
    expect((await report(users.student3, 'FIS201', '4')).status).toBe(403); // José is not on Física II
    expect((await report(users.teacher, 'MAT101', '3')).status).toBe(200);
    expect((await report(users.teacher, 'FIS201', '2')).status).toBe(403);
    expect((await report(users.teacher, 'MAT101', '5')).status).toBe(403); // not on the roster
    expect((await report(users.admin, 'MAT101', '4')).status).toBe(200);
    expect((await report(users.teacher, 'MAT 101', '2')).status).toBe(400);
  });

  test('the report has the course, the student, each session in order and the standing', async () => {
    const { body } = await report(users.teacher, 'MAT101', '3');
    expect(body.course).toEqual({ id: 'MAT101', name: 'Cálculo I', teacherName: 'Ana Martínez' });
    expect(body.student).toEqual({ id: '3', name: 'María Gómez', studentNumber: 'maria.estudiante' });
    expect(body.sessions.map((s: { plannedStart: string; status: string }) => [s.plannedStart, s.status])).toEqual([
      [starts[0]!.toISOString(), 'absent'],
      [starts[1]!.toISOString(), 'excused'],
      [starts[2]!.toISOString(), 'absent'],
    ]);
    expect(body.rate).toBe(0);
    expect(body.minimum.percent).toBe(75);
  });
});

describe('the printable report', () => {
  test('a student opens their own from "Mi asistencia" on a phone; it prints on one A4 page', async () => {
    const page = await browser.newPage();
    await portalSignIn(page, door.origin, '/asistencia/student/', 'maria.estudiante');
    await page.getByRole('link', { name: 'Informe para imprimir de Cálculo I' }).click();
    await page.waitForURL((url) => url.pathname === '/asistencia/report/');
    await page.getByRole('heading', { level: 1, name: 'Informe de asistencia' }).waitFor();
    await page.getByText('MAT101 Cálculo I').waitFor();
    const rows = page.getByRole('table', { name: 'Sesiones' }).locator('tbody tr');
    expect(await rows.count()).toBe(3);
    const second = starts[1]!;
    const day = new Intl.DateTimeFormat('es', { timeZone: 'America/Santiago', day: 'numeric' }).format(second);
    expect(await rows.nth(1).textContent()).toContain('Justificado');
    expect(await rows.nth(1).locator('td').first().textContent()).toContain(day);
    await page.getByText('Ya no alcanza el mínimo del curso, aunque asista a todas las clases que quedan.').waitFor();
    expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'student-report-es');
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: 'Imprimir o guardar como PDF' }).isVisible()).toBe(false);
    const pdf = await page.pdf({ preferCSSPageSize: true });
    expect(pagesOf(pdf)).toBe(1);
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('in English, a teacher opens a student’s report from the course page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await portalSignIn(page, door.origin, '/asistencia/teacher/', 'ana.docente');
    await page.goto(`${door.origin}/asistencia/teacher/?course=MAT101`);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'María Gómez' }).click();
    await page.waitForURL((url) => url.pathname === '/asistencia/report/');
    await page.getByRole('heading', { level: 1, name: 'Attendance report' }).waitFor();
    await page.getByText('Can no longer reach the course minimum, even attending every class left.').waitFor();
    expect(await page.getByRole('table', { name: 'Sessions' }).locator('tbody tr').nth(1).textContent()).toContain('Excused');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'teacher-report-en');
    expect(browser.pageErrors(page)).toEqual([]);
  });
});
