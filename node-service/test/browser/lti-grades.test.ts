import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { seedEnrolledPhones } from '../enrollment/seeded-phones.js';
import { ltiRows, startLtiDoor, type LtiDoor } from '../lti/lti-door.js';
import { projectorFor, reachServerTime, scanner } from '../scan/support.js';
import { apiAs, draftSession } from '../support/api.js';
import { launchBrowser, screenshot, type BrowserHarness } from '../support/browser.js';
import { DEFAULT_USERS as lms, type PlatformUser } from '../support/lti-platform.js';
import type { Phone } from '../support/phone.js';
import type { RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import type { TestSocket } from '../support/ws-client.js';

/**
 * The LMS gradebook, end to end through the door (Apache, the PHP portal, node-service) in Chromium: the
 * teacher launches from the test LMS into MAT101, a class runs in the page with real scans, and the
 * attendance grade reaches the LMS's AGS endpoint on its own (the after-change pass: the periodic one is a day
 * away) under each grade policy the teacher saves in the page, and after a correction, as the hand table
 * below says. A tampered launch is refused in Spanish and writes nothing.
 *
 * The semester (Luis and María are in the portal and the LMS; Carla, only in the LMS, gets no grade):
 *
 *            C1 (late from min 10)  C2 (2 rounds)  C3 (nobody scans)  C4 (run in the page, 2 rounds)  C5, C6
 *   Luis     late                   partial        absent             present                         to come
 *   María    absent                 present        excused            partial                         to come
 */
const laptop = { width: 1280, height: 900 };
let lti: LtiDoor;
let browser: BrowserHarness;
let page: Page;
let door: RunningService; // the service as seen through Apache: every API call and scan goes through the door
let luis: Phone;
let maria: Phone;
let runInPage: string;

const teacher = () => apiAs(lti.origin, users.teacher);
const inMinutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

beforeAll(async () => {
  // Grades go only after a change (the periodic pass is a day away): what reaches the LMS is that pass alone.
  lti = await startLtiDoor({ LTI_GRADE_AFTER_CHANGE_MS: '200', LTI_GRADE_SYNC_INTERVAL_SECONDS: '86400' });
  door = { ...lti.door.service, baseUrl: lti.origin };
  browser = await launchBrowser();
  lti.platform.rosters.set('lms-course-1', [lms.ana!, lms.luis!, lms.maria!, lms.carla!]);
  // Linked by the deep-linking choice the teacher made earlier (test/lti/launch.test.ts drives that step).
  await lti.door.service.db.query(
    `INSERT INTO lti.course_links (platform_id, context_id, course_id, context_title) SELECT id, 'lms-course-1', 'MAT101', 'Cálculo I (LMS)' FROM lti.platforms`,
  );
  [luis, maria] = (await seedEnrolledPhones(lti.door.service, [users.student, users.student2])) as [Phone, Phone];
  // Two classes scheduled later in the term: they count only under the "all scheduled classes" basis.
  for (const days of [7, 14]) {
    const planned = await teacher().post('/api/sessions', draftSession({ plannedStart: inMinutes(days * 1440), plannedEnd: inMinutes(days * 1440 + 90) }));
    expect(planned.status, JSON.stringify(planned.body)).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lti?.stop();
});

const loginUrl = (user: PlatformUser) =>
  `${lti.origin}/asistencia/lti/login?${new URLSearchParams({
    iss: lti.platform.issuer,
    login_hint: user.id,
    target_link_uri: `${lti.origin}/asistencia/lti/launch`,
    client_id: lti.platform.clientId,
    lti_deployment_id: lti.platform.deploymentId,
    lti_message_hint: 'context=lms-course-1',
  })}`;

/** The newest code the projector shows for `round`, once its slot has begun; every student in `phones` scans it. */
async function scanRound(projector: TestSocket, round: number, phones: Phone[]) {
  let frame = projector.drain('qr').filter((f) => f.round === round).at(-1);
  while (!frame) {
    const next = await projector.next('qr', 5000);
    if (next.round === round) frame = next;
  }
  await reachServerTime(lti.door.service, frame.slotStartsAt as number);
  const token = String(frame.url).split('#')[1]!;
  for (const phone of phones) expect((await scanner(door).scan(token, phone)).body).toMatchObject({ outcome: 'confirmed' });
}

/** A class held through the API: created, opened, one round per entry (who scans in it), closed. */
async function heldClass(draft: Record<string, unknown>, rounds: Phone[][]): Promise<string> {
  const api = teacher();
  const created = await api.post('/api/sessions', draftSession({ roundsPlanned: Math.max(1, rounds.length), ...draft }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  expect((await api.post(`/api/sessions/${id}/open`)).status).toBe(200);
  const projector = await projectorFor(door, id);
  for (const [i, phones] of rounds.entries()) {
    expect((await api.post(`/api/sessions/${id}/rounds`)).status).toBe(200);
    await scanRound(projector, i + 1, phones);
    expect((await api.post(`/api/sessions/${id}/rounds/current/end`)).status).toBe(200);
  }
  projector.close();
  expect((await api.post(`/api/sessions/${id}/close`)).status).toBe(200);
  return id;
}

/** The last score the LMS accepted for each student (AGS scoreGiven out of 100). */
const lmsGrades = () =>
  Object.fromEntries(['lms-luis', 'lms-maria'].map((userId) => [userId, lti.platform.scores.filter((s) => s.userId === userId).at(-1)?.scoreGiven]));
const lmsReceives = (luisGrade: number, mariaGrade: number) =>
  vi.waitFor(() => expect(lmsGrades()).toEqual({ 'lms-luis': luisGrade, 'lms-maria': mariaGrade }), { timeout: 15_000, interval: 100 });

describe('an LMS course graded by Asistencia, through the door in Chromium', () => {
  test('the teacher launches from the LMS into MAT101; the LMS panel lists the students NRPS gave', async () => {
    page = await browser.newPage({ viewport: laptop });
    await page.goto(loginUrl(lms.ana!));
    await page.waitForURL(/\/asistencia\/teacher\/\?course=MAT101&lti=1$/);
    const panel = page.locator('[data-lms-panel]');
    await panel.locator('tr[data-source="lms"]', { hasText: 'Carla Soto' }).waitFor();
    expect(await panel.locator('tr[data-student="2"]').textContent()).toContain('Portal y LMS');
    expect(await panel.locator('tr[data-student="3"]').textContent()).toContain('Portal y LMS');
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('earlier classes, then one run in the page with real scans; after the close the LMS has the default grade', async () => {
    await heldClass({ plannedStart: inMinutes(-30), lateAfterMinutes: 10 }, [[luis]]); // C1: Luis confirms 20 min past the threshold
    await heldClass({}, [[luis, maria], [maria]]); // C2: Luis leaves after round 1
    const c3 = await heldClass({}, []);
    const excused = await teacher().post(`/api/sessions/${c3}/students/3/correction`, { status: 'excused', reason: 'Certificado médico' });
    expect(excused.status, JSON.stringify(excused.body)).toBe(200);

    const created = await teacher().post('/api/sessions', draftSession({ roundsPlanned: 2 }));
    runInPage = created.body.id as string;
    await page.goto(`${lti.origin}/asistencia/teacher/?session=${runInPage}`);
    await page.getByRole('button', { name: 'Abrir la sesión de clase' }).click();
    await page.getByRole('button', { name: 'Iniciar ronda 1' }).click();
    // The projector joins once the page shows the round running, as a teacher would put it on the screen.
    await page.getByText('0 / 3 presentes en la ronda 1').waitFor();
    const projector = await projectorFor(door, runInPage);
    await scanRound(projector, 1, [luis, maria]);
    await page.getByText('2 / 3 presentes en la ronda 1').waitFor();
    await page.getByRole('button', { name: 'Terminar ronda 1' }).click();
    await page.getByRole('button', { name: 'Iniciar ronda 2' }).click();
    await scanRound(projector, 2, [luis]); // María left after round 1
    await page.getByText('1 / 3 presentes en la ronda 2').waitFor();
    projector.close();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cerrar la sesión de clase' }).click();
    await page.getByText('Cerrada', { exact: true }).waitFor();
    await screenshot(page, 'lti-grades-class-closed');
    // The table's premise, as recorded: each student's classes in the order held.
    const { rows } = await lti.door.service.db.query(
      `SELECT r.student_id, array_agg(r.status ORDER BY s.planned_start) AS classes FROM attendance.results r
       JOIN attendance.sessions s ON s.id = r.session_id WHERE r.student_id IN ('2', '3') GROUP BY r.student_id ORDER BY r.student_id`,
    );
    expect(rows).toEqual([
      { student_id: '2', classes: ['late', 'partial', 'absent', 'present'] },
      { student_id: '3', classes: ['absent', 'present', 'excused', 'partial'] },
    ]);

    // Default policy (to date, nothing dropped, late and partial a whole class, no penalty):
    //   Luis  (1 + 1 + 0 + 1) / 4 = 75
    //   María (0 + 1 + 1) / 3 = 66.67 → 66.7 (C3 excused: left out)
    await lmsReceives(75, 66.7);
    expect(lti.platform.scores.map((s) => s.userId)).not.toContain('lms-carla');
    expect(browser.pageErrors(page)).toEqual([]);
  }, 120_000);

  // Each policy as the teacher enters it in the page, with the grades the LMS must then receive (by hand).
  const policies = [
    {
      key: 'all scheduled classes',
      name: 'sobre todas las clases programadas, sin descartar',
      form: { basis: 'all_scheduled', drop: 0, late: 1, partial: 1, penalty: 0 },
      // C5 and C6 count 0: Luis 3 / 6 = 50; María 2 / 5 = 40 (C3 excused).
      luis: 50,
      maria: 40,
    },
    {
      key: 'all scheduled, lowest dropped',
      name: 'sobre todas las clases programadas, descartando la clase más baja',
      form: { basis: 'all_scheduled', drop: 1, late: 1, partial: 1, penalty: 0 },
      // The lowest class is an absence (Luis C3, María C1): Luis 3 / 5 = 60; María 2 / 4 = 50.
      luis: 60,
      maria: 50,
    },
    {
      key: 'late 0.4, partial 0.6',
      name: 'a la fecha, sin descartar, atraso vale 0,4, parcial vale 0,6',
      form: { basis: 'to_date', drop: 0, late: 0.4, partial: 0.6, penalty: 0 },
      // Luis (0.4 + 0.6 + 0 + 1) / 4 = 50; María (0 + 1 + 0.6) / 3 = 53.33 → 53.3.
      luis: 50,
      maria: 53.3,
    },
    {
      key: '10 points per absence',
      name: 'a la fecha, sin descartar, −10 puntos por ausencia',
      form: { basis: 'to_date', drop: 0, late: 1, partial: 1, penalty: 10 },
      // Luis 3 / 4 − 1 × 10 = 65; María 2 / 3 − 1 × 10 = 56.67 → 56.7.
      luis: 65,
      maria: 56.7,
    },
  ] as const;

  test.each(policies)('the teacher saves the policy $key in the page; the LMS receives Luis $luis, María $maria', async (policy) => {
    if (!page.url().includes('?course=MAT101')) await page.goto(`${lti.origin}/asistencia/teacher/?course=MAT101`);
    const card = page.getByRole('region', { name: 'Política de nota' });
    const { form } = policy;
    await card.getByLabel(form.basis === 'to_date' ? 'Las clases realizadas hasta hoy (a la fecha)' : /^Todas las clases programadas/).check();
    await card.getByLabel('Clases más bajas que se descartan').fill(String(form.drop));
    await card.getByLabel('Una clase «Tarde» vale').fill(String(form.late));
    await card.getByLabel('Una clase «Parcial» vale').fill(String(form.partial));
    await card.getByLabel('Puntos que se restan por ausencia').fill(String(form.penalty));
    await card.getByLabel('Motivo (obligatorio)').fill('Reglamento de la carrera');
    await card.getByRole('button', { name: 'Guardar la política de nota' }).click();
    await card.getByText(`Hoy la nota de asistencia sigue la política: ${policy.name}.`).waitFor();
    await lmsReceives(policy.luis, policy.maria);
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('a correction in the class view reaches the LMS', async () => {
    await page.goto(`${lti.origin}/asistencia/teacher/?session=${runInPage}`);
    await page.getByRole('button', { name: 'Corregir la asistencia de María Gómez' }).click();
    const dialog = page.getByRole('dialog', { name: 'Corregir la asistencia de María Gómez' });
    await dialog.getByLabel('Marcar ausente (aunque haya confirmado)').check();
    await dialog.getByLabel('Motivo (obligatorio)').fill('Se retiró después de la ronda 1');
    await dialog.getByRole('button', { name: 'Guardar corrección' }).click();
    await page.getByText('María Gómez: Ausente', { exact: false }).waitFor();
    // Still 10 points per absence, and María's C4 is now one: (0 + 1 + 0) / 3 − 2 × 10 = 13.33 → 13.3. Luis stays 65.
    await lmsReceives(65, 13.3);
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('a tampered launch shows the refusal page in Spanish and writes no row', async () => {
    const student = await browser.newPage({ viewport: laptop });
    // Luis's browser rewrites the id_token the LMS signed, to sign in as Ana: the signature no longer matches.
    await student.route('**/asistencia/lti/launch', async (route) => {
      const form = new URLSearchParams(route.request().postData() ?? '');
      const [header, payload, signature] = form.get('id_token')!.split('.') as [string, string, string];
      const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), email: lms.ana!.email };
      const tampered = Buffer.from(JSON.stringify(claims)).toString('base64url');
      form.set('id_token', [header, tampered, signature].join('.'));
      await route.continue({ postData: form.toString() });
    });
    const before = await ltiRows(lti);
    await student.goto(loginUrl(lms.luis!));
    await student.getByRole('heading', { name: 'No se pudo abrir Asistencia' }).waitFor();
    expect(await student.locator('#refusal').textContent()).toBe('La plataforma envió un ingreso que no se pudo verificar (bad signature). Abre Asistencia de nuevo desde tu curso.');
    await screenshot(student, 'lti-grades-tampered-launch');
    expect((await student.context().cookies()).map((c) => c.name)).not.toContain('asistencia_lti');
    expect(await ltiRows(lti)).toEqual(before);
  });
});
