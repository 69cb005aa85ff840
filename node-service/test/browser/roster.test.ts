import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enrolledPhone, liveSession, scanner } from '../scan/support.js';
import { type BrowserHarness, launchBrowser, pageSignedInAs, screenshot } from '../support/browser.js';
import { parseCsv } from '../support/csv.js';
import { apiAs } from '../support/api.js';
import { freshStudent } from '../enrollment/support.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * The roster a teacher works during and after class: each student's status with the first confirmation
 * time, search, "only missing", order, and a bulk excuse of several students with one reason (audited
 * one by one) that the export and each student's page then show.
 *
 * Cálculo I (MAT101: Luis, María, José), one round, still open: Luis confirms with his passkey.
 */
const laptop = { width: 1280, height: 900 };
type User = (typeof users)[keyof typeof users];

let service: RunningService;
let browser: BrowserHarness;
let sessionId: string;

beforeAll(async () => {
  service = await startService();
  browser = await launchBrowser();
  const luis = await enrolledPhone(service, users.student);
  const session = await liveSession(service, { roundsPlanned: 1 });
  sessionId = session.id;
  expect((await scanner(service).scan((await session.screen()).token, luis)).body.outcome).toBe('confirmed');
  session.close();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const pageAs = (user: User, path: string, viewport?: { width: number; height: number }): Promise<Page> =>
  pageSignedInAs(browser, user, `${service.baseUrl}${path}`, viewport ? { viewport } : {});

const names = (page: Page) => page.locator('table.roster tbody th.roster__name > div > span:first-child').evaluateAll((spans) => spans.map((s) => s.firstChild?.textContent));

describe('the roster', () => {
  test('keeps its rows while a refresh brings nothing new, so a press on Corregir is never lost to a redraw', async () => {
    const teacher = await pageAs(users.teacher, `/asistencia/teacher/?session=${sessionId}`, laptop);
    // Drawn again once the course's trends arrive (a column more); after that, nothing changes.
    await teacher.locator('table.roster th.roster__trend').waitFor();
    const button = await teacher.locator('[data-correct="3"]').elementHandle();
    // The open class is read again every 3 s: two refreshes that change nothing.
    for (let i = 0; i < 2; i += 1) await teacher.waitForResponse((r) => r.url().endsWith(`/sessions/${sessionId}`) && r.status() === 200);
    await teacher.evaluate('new Promise((drawn) => requestAnimationFrame(drawn))');
    expect(await button!.evaluate((element) => element.isConnected)).toBe(true);
    expect(browser.pageErrors(teacher)).toEqual([]);
    await teacher.context().close();
  });

  test('shows status and first confirmation time, searches, filters the missing and sorts', async () => {
    const teacher = await pageAs(users.teacher, `/asistencia/teacher/?session=${sessionId}`, laptop);
    await teacher.getByRole('heading', { level: 1, name: 'Cálculo I · Aula 204' }).waitFor();
    const { rows } = await service.db.query<{ at: Date }>('SELECT first_confirmed_at AS at FROM attendance.results WHERE session_id = $1 AND student_id = $2', [sessionId, '2']);
    const time = rows[0]!.at.toLocaleTimeString('sv-SE', { timeZone: 'America/Santiago', hour: '2-digit', minute: '2-digit' });
    const status = (id: string) => teacher.locator(`tr[data-student="${id}"] .roster__status`);
    await status('2').getByText(`Presente · ${time}`).waitFor();
    // The class is running: who has not confirmed yet is Pendiente, not Ausente.
    expect(await status('3').textContent()).toBe('Pendiente');
    expect(await status('4').textContent()).toBe('Pendiente');
    // Surname first: Gómez, Núñez, Pérez.
    expect(await names(teacher)).toEqual(['María Gómez', 'José Núñez', 'Luis Pérez']);

    await teacher.getByLabel('Buscar estudiante').fill('gomez');
    await teacher.locator('tr[data-student="4"]').waitFor({ state: 'detached' });
    expect(await names(teacher)).toEqual(['María Gómez']);
    await teacher.getByLabel('Buscar estudiante').fill('');
    await teacher.getByLabel('Solo quienes faltan').check();
    await teacher.locator('tr[data-student="2"]').waitFor({ state: 'detached' });
    expect(await names(teacher)).toEqual(['María Gómez', 'José Núñez']);
    await teacher.getByLabel('Solo quienes faltan').uncheck();
    await teacher.getByLabel('Ordenar por').selectOption({ label: 'Hora de confirmación' });
    await expect.poll(() => names(teacher)).toEqual(['Luis Pérez', 'María Gómez', 'José Núñez']);
    expect(browser.pageErrors(teacher)).toEqual([]);

    // María's own page agrees while the class runs: Pendiente, in progress, and no rate yet (no class has closed).
    const maria = await pageAs(users.student2, '/asistencia/student/');
    const item = maria.getByRole('region', { name: 'Cálculo I' }).locator(`[data-session="${sessionId}"] .result-badge`);
    await item.first().waitFor();
    expect(await item.allTextContents()).toEqual(['Pendiente', 'En curso']);
    await maria.getByRole('region', { name: 'Cálculo I' }).getByText('Asistencia: —', { exact: true }).waitFor();
  });

  test('a bulk excuse of two students with one reason: roster, audit, export and their own pages', async () => {
    const teacher = await pageAs(users.teacher, `/asistencia/teacher/?session=${sessionId}`, laptop);
    await teacher.getByRole('heading', { level: 1, name: 'Cálculo I · Aula 204' }).waitFor();
    await teacher.getByRole('checkbox', { name: 'Seleccionar a María Gómez' }).check();
    await teacher.getByRole('checkbox', { name: 'Seleccionar a José Núñez' }).check();
    await teacher.getByText('Seleccionados: 2').waitFor();
    await teacher.getByRole('button', { name: 'Corregir seleccionados' }).click();
    const dialog = teacher.getByRole('dialog', { name: 'Corregir la asistencia de 2 estudiantes' });
    await dialog.getByLabel('Justificar la ausencia').check();
    await dialog.getByLabel('Motivo (obligatorio)').fill('Salida a terreno');
    await dialog.getByRole('button', { name: 'Guardar corrección' }).click();
    await teacher.getByText('2 estudiantes: Justificado.').waitFor();
    await teacher.locator('tr[data-student="3"] .roster__status').getByText('Justificado').waitFor();
    await teacher.locator('tr[data-student="4"] .roster__status').getByText('Justificado').waitFor();
    expect(await teacher.getByRole('button', { name: 'Corregir seleccionados' }).isVisible()).toBe(false);
    await screenshot(teacher, 'roster-bulk-excused-es');

    const audit = await service.db.query('SELECT student_id, new_status, reason, actor_id FROM attendance.corrections WHERE session_id = $1 ORDER BY student_id', [sessionId]);
    expect(audit.rows).toEqual([
      { student_id: '3', new_status: 'excused', reason: 'Salida a terreno', actor_id: '1' },
      { student_id: '4', new_status: 'excused', reason: 'Salida a terreno', actor_id: '1' },
    ]);

    const csv = await fetch(`${service.baseUrl}/asistencia/api/sessions/${sessionId}/export?format=csv`, {
      headers: { authorization: `Bearer ${await portalToken(users.teacher)}` },
    });
    const exported = parseCsv((await csv.text()).replace(/^\uFEFF/, ''));
    expect(exported.slice(1).map((r) => [r[1], r[2], r[7]])).toEqual([
      ['María Gómez', 'Justificado', 'Salida a terreno'],
      ['José Núñez', 'Justificado', 'Salida a terreno'],
      ['Luis Pérez', 'Presente', ''],
    ]);

    for (const student of [users.student2, users.student3]) {
      const page = await pageAs(student, '/asistencia/student/');
      const item = page.getByRole('region', { name: 'Cálculo I' }).locator(`[data-session="${sessionId}"] .result-badge`).first();
      await item.getByText('Justificado').waitFor();
    }
    expect(browser.pageErrors(teacher)).toEqual([]);
  });

  test('walk-ins: José shown by his real name and rejected, another accepted, each with a reason and audited', async () => {
    // José is not on Física II's list; Pedro's session accepts walk-ins with a flag.
    const jose = await enrolledPhone(service, users.student3);
    const visitor = freshStudent('Oyente');
    const visitorPhone = await enrolledPhone(service, visitor);
    const session = await liveSession(service, { rosterPolicy: 'flag', courseId: 'FIS201' }, users.otherTeacher);
    const token = (await session.screen()).token;
    expect((await scanner(service).scan(token, jose)).body).toMatchObject({ walkIn: true });
    expect((await scanner(service).scan(token, visitorPhone)).body).toMatchObject({ walkIn: true });
    session.close();

    const pedro = await pageAs(users.otherTeacher, `/asistencia/teacher/?session=${session.id}`, laptop);
    const joseRow = pedro.locator('tr[data-student="4"]');
    await joseRow.getByText('José Núñez').waitFor();
    await joseRow.getByText('Por revisar').waitFor();

    await pedro.getByRole('button', { name: `Aceptar a ${visitor.sub}, que no está en la lista` }).click();
    const accept = pedro.getByRole('dialog', { name: `Aceptar a ${visitor.sub} en esta sesión` });
    await accept.getByLabel('Motivo (obligatorio)').fill('Oyente autorizado');
    await accept.getByRole('button', { name: 'Aceptar' }).click();
    await pedro.getByText(`${visitor.sub} queda aceptado en esta sesión.`).waitFor();
    await pedro.locator(`tr[data-student="${visitor.sub}"]`).getByText('Por revisar').waitFor({ state: 'detached' });

    await pedro.getByRole('button', { name: 'Rechazar a José Núñez: sus confirmaciones dejan de contar' }).click();
    const reject = pedro.getByRole('dialog', { name: 'Rechazar a José Núñez: sus confirmaciones dejan de contar' });
    await reject.getByLabel('Motivo (obligatorio)').fill('No es de este curso');
    await reject.getByRole('button', { name: 'Rechazar' }).click();
    await pedro.getByText('José Núñez queda fuera de esta sesión; sus confirmaciones ya no cuentan.').waitFor();
    await joseRow.waitFor({ state: 'detached' });
    await screenshot(pedro, 'roster-walk-ins-es');

    const audit = await service.db.query('SELECT student_id, decision, reason, actor_id FROM attendance.walk_in_reviews WHERE session_id = $1 ORDER BY id', [session.id]);
    expect(audit.rows).toEqual([
      { student_id: visitor.sub, decision: 'accepted', reason: 'Oyente autorizado', actor_id: '6' },
      { student_id: '4', decision: 'rejected', reason: 'No es de este curso', actor_id: '6' },
    ]);
    const left = await service.db.query('SELECT count(*)::int AS n FROM attendance.validations WHERE session_id = $1 AND student_id = $2', [session.id, '4']);
    expect(left.rows).toEqual([{ n: 0 }]);
    expect(browser.pageErrors(pedro)).toEqual([]);
  });
});

describe('the roster after class', () => {
  test('a bulk correction shows in the trend at once, and the roster fits a 390 px phone', async () => {
    expect((await apiAs(service.baseUrl, users.teacher).post(`/api/sessions/${sessionId}/close`)).status).toBe(200);
    const teacher = await pageAs(users.teacher, `/asistencia/teacher/?session=${sessionId}`, laptop);
    const trend = (id: string) => teacher.locator(`tr[data-student="${id}"] .roster__trend`);
    await trend('4').getByText('Últimas 1 clases:', { exact: false }).waitFor();
    expect(await trend('4').textContent()).not.toContain('Presente (manual)');
    await teacher.getByRole('checkbox', { name: 'Seleccionar a María Gómez' }).check();
    await teacher.getByRole('checkbox', { name: 'Seleccionar a José Núñez' }).check();
    await teacher.getByRole('button', { name: 'Corregir seleccionados' }).click();
    const dialog = teacher.getByRole('dialog', { name: 'Corregir la asistencia de 2 estudiantes' });
    await dialog.getByLabel('Marcar presente').check();
    await dialog.getByLabel('Motivo (obligatorio)').fill('Estaban en la sala, sin batería');
    await dialog.getByRole('button', { name: 'Guardar corrección' }).click();
    await teacher.getByText('2 estudiantes: Presente (manual).').waitFor();
    // No reload: the trend column reads the course again after the correction.
    await trend('4').getByText('Últimas 1 clases: Presente (manual).', { exact: false }).waitFor({ timeout: 10_000 });
    await trend('3').getByText('Últimas 1 clases: Presente (manual).', { exact: false }).waitFor();
    expect(browser.pageErrors(teacher)).toEqual([]);

    // On a phone the page does not spill sideways: the roster scrolls inside its own box if it must.
    const phone = await pageAs(users.teacher, `/asistencia/teacher/?session=${sessionId}`, { width: 390, height: 844 });
    await phone.locator('tr[data-student="4"]').waitFor();
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(phone, 'roster-390');
    expect(browser.pageErrors(phone)).toEqual([]);
  });
});
