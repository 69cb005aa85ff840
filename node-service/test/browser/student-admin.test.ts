import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enrolledPhone, liveSession, scanner } from '../scan/support.js';
import { type BrowserHarness, launchBrowser, pageSignedInAs, screenshot, downloadedBytes } from '../support/browser.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { parseCsv } from '../support/csv.js';

/**
 * "Mi asistencia", the teacher's corrections and exports, and device administration in Chromium, against
 * the real service (real PostgreSQL and Valkey). The portal's part is played by answering the pages'
 * token request (/token.php) with a portal-signed token for the person signed in; the whole path through
 * Apache and the PHP portal is scan-e2e.test.ts.
 *
 * One class session of Cálculo I (MAT101: Luis, María, José): Luis confirms round 1 with his passkey
 * (the software authenticator, through the public scan API), then the teacher closes it.
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
  const answer = await scanner(service).scan((await session.screen()).token, luis);
  expect(answer.body.outcome).toBe('confirmed');
  await session.teacher.post(`/api/sessions/${sessionId}/close`);
  session.close();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

/** A page whose portal token request is answered for `user`, as the portal would for their session. */
const pageAs = (user: User, path: string, viewport?: { width: number; height: number }, timezoneId?: string): Promise<Page> =>
  pageSignedInAs(browser, user, `${service.baseUrl}${path}`, { ...(viewport ? { viewport } : {}), ...(timezoneId ? { timezoneId } : {}) });

describe('Mi asistencia', () => {
  test('a student sees, per course, the rate and each session with its status and rounds', async () => {
    const page = await pageAs(users.student, '/asistencia/student/');
    await page.getByRole('heading', { level: 1, name: 'Mi asistencia' }).waitFor();
    await page.getByText('Asistencia de Luis Pérez.').waitFor();
    const calculus = page.getByRole('region', { name: 'Cálculo I' });
    await calculus.getByText('Asistencia: 100 %', { exact: true }).waitFor();
    const item = calculus.locator(`[data-session="${sessionId}"]`);
    expect(await item.locator('.result-badge').allTextContents()).toEqual(['Presente']);
    await item.getByText('Aula 204 · 1 de 1 rondas').waitFor();
    await page.getByRole('region', { name: 'Física II' }).getByText('Todavía no se ha hecho ninguna sesión de este curso.').waitFor();
    expect(await page.getByRole('link', { name: 'Registrar o gestionar mi llave de acceso' }).getAttribute('href')).toBe('/asistencia/enroll/');
    await screenshot(page, 'student-es-present');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'My attendance' }).waitFor();
    await calculus.getByText('Attendance: 100%', { exact: true }).waitFor();
    expect(await item.locator('.result-badge').allTextContents()).toEqual(['Present']);
    await screenshot(page, 'student-en-present');
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('dates and times are the institution’s (TIME_ZONE), whatever zone the phone is set to', async () => {
    const { rows } = await service.db.query<{ at: Date }>('SELECT planned_start AS at FROM attendance.sessions WHERE id = $1', [sessionId]);
    const santiago = rows[0]!.at.toLocaleTimeString('sv-SE', { timeZone: 'America/Santiago', hour: '2-digit', minute: '2-digit' });
    const tokyo = rows[0]!.at.toLocaleTimeString('sv-SE', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });
    const page = await pageAs(users.student, '/asistencia/student/', undefined, 'Asia/Tokyo');
    const when = page.getByRole('region', { name: 'Cálculo I' }).locator(`[data-session="${sessionId}"] .attendance-item__when`);
    await when.waitFor();
    expect(await when.textContent()).toContain(`· ${santiago}`);
    expect(santiago).not.toBe(tokyo);
  });

  test('a student who did not confirm sees Ausente and a rate of 0 %', async () => {
    const page = await pageAs(users.student3, '/asistencia/student/');
    const calculus = page.getByRole('region', { name: 'Cálculo I' });
    await calculus.getByText('Asistencia: 0 %', { exact: true }).waitFor();
    expect(await calculus.locator(`[data-session="${sessionId}"] .result-badge`).allTextContents()).toEqual(['Ausente']);
    await calculus.getByText('Aula 204 · 0 de 1 rondas').waitFor();
  });

  test('another role is told the page is for students', async () => {
    const page = await pageAs(users.teacher, '/asistencia/student/');
    await page.getByText('Esta página es para estudiantes. Tu perfil es docente.').waitFor();
  });
});

describe('teacher corrections and exports', () => {
  test('the teacher excuses María with a reason: the roster, the export and her own page show it', async () => {
    const teacher = await pageAs(users.teacher, `/asistencia/teacher/?session=${sessionId}`, laptop);
    await teacher.getByRole('heading', { level: 1, name: 'Cálculo I · Aula 204' }).waitFor();
    await teacher.getByRole('button', { name: 'Corregir la asistencia de María Gómez' }).click();
    const dialog = teacher.getByRole('dialog', { name: 'Corregir la asistencia de María Gómez' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Justificar la ausencia').isChecked()).toBe(true);

    // A reason is required, here and in the service.
    await dialog.getByRole('button', { name: 'Guardar corrección' }).click();
    await dialog.getByText('Escribe un motivo de al menos 3 caracteres.').waitFor();
    expect(await dialog.getByLabel('Motivo (obligatorio)').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('Motivo (obligatorio)').fill('Certificado médico');
    await screenshot(teacher, 'teacher-correction-dialog-es');
    await dialog.getByRole('button', { name: 'Guardar corrección' }).click();
    await teacher.getByText('María Gómez: Justificado.').waitFor();
    expect(await dialog.isVisible()).toBe(false);
    const row = teacher.locator('table.roster tbody tr[data-student="3"]');
    await row.locator('.roster__badge--corrected').getByText('Justificado').waitFor();
    expect(await teacher.evaluate('document.activeElement?.getAttribute("data-correct")')).toBe('3');
    await screenshot(teacher, 'teacher-corrected-es');

    const audit = await service.db.query('SELECT student_id, previous_status, new_status, reason, actor_id FROM attendance.corrections WHERE session_id = $1', [sessionId]);
    expect(audit.rows).toEqual([{ student_id: '3', previous_status: 'absent', new_status: 'excused', reason: 'Certificado médico', actor_id: '1' }]);

    // The session's CSV, downloaded from its button: UTF-8 with a byte-order mark, accents intact.
    const sessionExport = teacher.getByRole('group', { name: 'Esta sesión' });
    const [csv] = await Promise.all([teacher.waitForEvent('download'), sessionExport.getByRole('button', { name: 'Descargar CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(/^asistencia-Cálculo_I_\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = await downloadedBytes(csv);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(rows[0]).toEqual(['Número de estudiante', 'Nombre', 'Estado', 'Rondas confirmadas', 'Rondas realizadas', 'Primera confirmación', 'Fuera de lista', 'Motivo de corrección', 'Llamado al azar', 'Alertas']);
    // Surname first (Gómez, Núñez, Pérez), the portal username as the student number.
    expect(rows.slice(1).map((r) => r[1])).toEqual(['María Gómez', 'José Núñez', 'Luis Pérez']);
    const byNumber = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byNumber.get('luis.estudiante')?.slice(1, 5)).toEqual(['Luis Pérez', 'Presente', '1', '1']);
    expect(byNumber.get('maria.estudiante')).toEqual(['maria.estudiante', 'María Gómez', 'Justificado', '0', '1', '', 'no', 'Certificado médico', '', '']);
    expect(byNumber.get('jose.estudiante')?.slice(1, 3)).toEqual(['José Núñez', 'Ausente']);
    await teacher.getByText(`Descargado: ${csv.suggestedFilename()}`).waitFor();

    // The course's workbook: one column per session, each student's rate.
    const courseExport = teacher.getByRole('group', { name: 'Todas las sesiones de Cálculo I' });
    const [xlsx] = await Promise.all([teacher.waitForEvent('download'), courseExport.getByRole('button', { name: 'Descargar Excel' }).click()]);
    expect(xlsx.suggestedFilename()).toMatch(/^asistencia-MAT101_\d{4}-\d{2}-\d{2}\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    // exceljs types its input as a (Node 18) Buffer; Node 20's Buffer is the same bytes.
    await workbook.xlsx.load((await downloadedBytes(xlsx)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    // Five title rows (course, teacher, period, minimum, grade policy) and an empty one above the header.
    expect(values(1)).toEqual(['Curso: MAT101 Cálculo I']);
    expect(values(5)).toEqual(['Nota de asistencia según la política: a la fecha, sin descartar']);
    expect(values(7)).toEqual(['Número de estudiante', 'Nombre', expect.stringMatching(/Aula 204$/), 'Presente', 'Tarde', 'Parcial', 'Ausente', 'Justificado', 'Asistencia (%)', 'Nota de asistencia (%)']);
    const students = [8, 9, 10].map((n) => values(n));
    expect(students).toContainEqual(['maria.estudiante', 'María Gómez', 'Justificado', 0, 0, 0, 0, 1]);
    expect(students).toContainEqual(['luis.estudiante', 'Luis Pérez', 'Presente', 1, 0, 0, 0, 0, 100, 100]);
    await screenshot(teacher, 'teacher-exported-es');

    // María's own page says Justificado, and the excused session does not count against her rate.
    const maria = await pageAs(users.student2, '/asistencia/student/');
    const calculus = maria.getByRole('region', { name: 'Cálculo I' });
    await calculus.getByText('Asistencia: —', { exact: true }).waitFor();
    expect(await calculus.locator(`[data-session="${sessionId}"] .result-badge`).allTextContents()).toEqual(['Justificado']);
    await calculus.getByText('Las sesiones justificadas no cuentan para el porcentaje.').waitFor();
    await screenshot(maria, 'student-es-excused');

    // Back to the computed status: the correction is undone, the reason goes.
    await teacher.getByRole('button', { name: 'Corregir la asistencia de María Gómez' }).click();
    await dialog.getByLabel('Volver al cálculo (según las rondas confirmadas)').check();
    await dialog.getByLabel('Motivo (obligatorio)').fill('Certificado no válido');
    await dialog.getByRole('button', { name: 'Guardar corrección' }).click();
    await teacher.getByText('María Gómez vuelve al estado calculado: Ausente.').waitFor();
    expect(await row.locator('.roster__badge--corrected').count()).toBe(0);
    expect(browser.pageErrors(teacher)).toEqual([]);
    expect(browser.pageErrors(maria)).toEqual([]);
  });
});

describe('device administration', () => {
  test('a refusal from the service follows the language switch (the page asks again in English)', async () => {
    const admin = await pageAs(users.admin, '/asistencia/admin/', laptop);
    await admin.getByRole('heading', { level: 1, name: 'Administración de dispositivos' }).waitFor();
    // A control character: the service refuses it with its own (localised) reason.
    await admin.getByLabel('Nombre, usuario o ID del estudiante').fill('2\u00072');
    await admin.getByRole('button', { name: 'Buscar' }).click();
    await admin.getByText('La solicitud no es válida', { exact: false }).waitFor();
    await admin.getByRole('button', { name: 'English' }).click();
    await admin.getByText('The request is not valid', { exact: false }).waitFor();
    expect(await admin.getByText('La solicitud no es válida', { exact: false }).count()).toBe(0);
  });

  test("an admin revokes a student's device and resets the waiting period; the history shows both", async () => {
    const admin = await pageAs(users.admin, '/asistencia/admin/', laptop);
    await admin.getByRole('heading', { level: 1, name: 'Administración de dispositivos' }).waitFor();
    await admin.getByLabel('Nombre, usuario o ID del estudiante').fill('2');
    await admin.getByRole('button', { name: 'Buscar' }).click();
    await admin.getByRole('heading', { level: 2, name: 'Dispositivos de Luis Pérez (luis.estudiante)' }).waitFor();
    expect(new URL(admin.url()).searchParams.get('student')).toBe('2');
    const device = admin.locator('.admin-device');
    await device.getByText('Activo', { exact: true }).waitFor();
    await admin.getByText('1 de 1 dispositivos en uso.', { exact: false }).waitFor();
    await admin.getByRole('table').getByRole('cell', { name: 'Registro', exact: true }).waitFor();
    await screenshot(admin, 'admin-es-lookup');

    await device.getByRole('button', { name: 'Revocar' }).click();
    await device.getByLabel('Motivo (obligatorio)').fill('Teléfono robado');
    await device.getByRole('button', { name: 'Revocar definitivamente' }).click();
    await admin.locator('#message').getByText('quedó revocado').waitFor();
    await admin.locator('.admin-device[data-state="revoked"]').getByText('Teléfono robado', { exact: false }).waitFor();
    await admin.getByText('Podrá registrar otro a partir del', { exact: false }).waitFor();

    await admin.getByRole('button', { name: 'Restablecer el plazo de espera' }).click();
    await admin.locator('#reset').getByLabel('Motivo (obligatorio)').fill('Teléfono nuevo, verificado en persona');
    await admin.getByRole('button', { name: 'Restablecer', exact: true }).click();
    await admin.getByText('Plazo de espera restablecido para Luis Pérez (luis.estudiante).').waitFor();
    await admin.getByText('Puede registrar otro dispositivo ahora', { exact: false }).waitFor();

    const history = admin.locator('table.admin-history tbody tr');
    await expect.poll(() => history.count()).toBe(3);
    const cells = async (n: number) => (await history.nth(n).locator('td').allTextContents()).slice(1);
    expect(await cells(0)).toEqual(['Restablecimiento del plazo', 'Carmen Ruiz (carmen.admin)', '—', 'Teléfono nuevo, verificado en persona']);
    expect(await cells(1)).toEqual(['Revocación', 'Carmen Ruiz (carmen.admin)', expect.stringMatching(/^#\d+$/), 'Teléfono robado']);
    expect(await cells(2)).toEqual(['Registro', 'Luis Pérez (luis.estudiante)', expect.stringMatching(/^#\d+$/), '—']);
    await screenshot(admin, 'admin-es-revoked-reset');

    const { rows } = await service.db.query(
      'SELECT action, actor_id, actor_role, reason FROM enrollment.enrollment_history WHERE student_id = $1 ORDER BY id',
      ['2'],
    );
    expect(rows).toEqual([
      { action: 'enrolled', actor_id: '2', actor_role: 'student', reason: null },
      { action: 'revoked', actor_id: '5', actor_role: 'admin', reason: 'Teléfono robado' },
      { action: 'reset', actor_id: '5', actor_role: 'admin', reason: 'Teléfono nuevo, verificado en persona' },
    ]);

    // A reload keeps the student in view; the page follows a change of language.
    await admin.reload();
    await admin.getByRole('button', { name: 'English' }).click();
    await admin.getByRole('heading', { level: 2, name: 'Devices of Luis Pérez (luis.estudiante)' }).waitFor();
    await admin.getByRole('cell', { name: 'Revocation', exact: true }).waitFor();
    await screenshot(admin, 'admin-en');
    expect(browser.pageErrors(admin)).toEqual([]);
  });

  test('a student is told the page is for administrators', async () => {
    const page = await pageAs(users.student, '/asistencia/admin/');
    await page.getByText('Esta página es para la administración. Tu perfil es estudiante.').waitFor();
    expect(await page.locator('#lookup').isVisible()).toBe(false);
  });
});
