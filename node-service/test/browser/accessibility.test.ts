import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { apiAs, draftSession } from '../support/api.js';
import { axeViolations } from '../support/axe.js';
import { addVirtualAuthenticator, type BrowserHarness, launchBrowser, portalSignIn, screenshot } from '../support/browser.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';

/**
 * axe-core on every page, in Spanish and after switching to English, each in the state a user meets it
 * (through Apache and the PHP portal, with a class running): no serious or critical violation. The html
 * element's lang must follow the switch. The development sign-in is checked on a service started as
 * `npm start` with no JWT secret, the only way it is served.
 *
 * The class: Ana's Cálculo I session, open with round 1 running. Luis enrols his passkey on his phone and
 * confirms by typing the projector's six digits; Ana projects the code and looks at the roster; Carmen
 * (admin) looks Luis up.
 */
let door: Door;
let dev: RunningService;
let browser: BrowserHarness;
let origin: string;
let sessionId: string;
const laptop = { width: 1280, height: 900 };

beforeAll(async () => {
  door = await startDoor({ publicAsLocalhost: true });
  origin = door.origin;
  browser = await launchBrowser();
  const teacher = apiAs(door.service.baseUrl, users.teacher);
  sessionId = (await teacher.post('/api/sessions', draftSession({ fallbackCodeEnabled: true }))).body.id;
  await teacher.post(`/api/sessions/${sessionId}/open`);
  await teacher.post(`/api/sessions/${sessionId}/rounds`);
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
  await dev?.stop();
});

/**
 * Runs axe on the page as it is (Spanish), then switches to English with the page's own switcher, waits
 * for `english` to be ready, and runs it again. Both runs must find nothing serious or critical.
 */
async function checkBothLanguages(page: Page, name: string, english: () => Promise<unknown>, switchTo = () => page.getByRole('button', { name: 'English' }).click()) {
  expect(await page.locator('html').getAttribute('lang'), name).toBe('es');
  const spanish = await axeViolations(page);
  await screenshot(page, `a11y-${name}-es`);
  await switchTo();
  await english();
  expect(await page.locator('html').getAttribute('lang'), name).toBe('en');
  const inEnglish = await axeViolations(page);
  await screenshot(page, `a11y-${name}-en`);
  expect({ page: name, es: spanish, en: inEnglish }).toEqual({ page: name, es: [], en: [] });
  expect(browser.pageErrors(page), name).toEqual([]);
}

/** The language is remembered per browser: every page starts in Spanish, as a first visit does. */
const spanish = (path: string) => `${origin}${path}${path.includes('?') ? '&' : '?'}lang=es`;

describe('axe-core, 0 serious or critical violations', () => {
  let phone: Page;
  let teacherLaptop: Page;

  test('the portal’s login and home pages', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/login.php?lang=es`);
    await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
    await checkBothLanguages(page, 'portal-login', () => page.getByRole('heading', { name: 'Sign in' }).waitFor(), () => page.getByRole('link', { name: 'English' }).click());
    await page.goto(`${origin}/login.php?lang=es`);
    await page.getByLabel('Usuario').fill('luis.estudiante');
    await page.getByLabel('Contraseña').fill('demo1234');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.getByRole('heading', { name: 'Tus cursos' }).waitFor();
    await checkBothLanguages(page, 'portal-home', () => page.getByRole('heading', { name: 'Your courses' }).waitFor(), () => page.getByRole('link', { name: 'English' }).click());
  });

  test('enrolment, with the passkey just registered', async () => {
    phone = await browser.newPage();
    await addVirtualAuthenticator(phone);
    await portalSignIn(phone, origin, '/asistencia/enroll/', 'luis.estudiante');
    await phone.getByRole('button', { name: 'Registrar mi llave de acceso' }).click();
    await phone.getByText('Listo: tu llave de acceso quedó registrada', { exact: false }).waitFor();
    await checkBothLanguages(phone, 'enroll', () => phone.getByRole('heading', { level: 1, name: 'Enrol my passkey' }).waitFor());
  });

  test('the landing page, signed out', async () => {
    const page = await browser.newPage();
    await page.goto(spanish('/asistencia/'));
    await page.locator('#account').getByRole('link').first().waitFor();
    await checkBothLanguages(page, 'landing-signed-out', () => page.getByRole('heading', { level: 2, name: 'Your account' }).waitFor());
  });

  test('the landing page, signed in', async () => {
    await phone.goto(spanish('/asistencia/'));
    await phone.getByText('Hola, Luis Pérez').waitFor();
    await checkBothLanguages(phone, 'landing', () => phone.getByText('Hello, Luis Pérez').waitFor());
  });

  test('the projector, with a live code', async () => {
    teacherLaptop = await browser.newPage({ viewport: laptop });
    await portalSignIn(teacherLaptop, origin, '/asistencia/teacher/', 'ana.docente');
    await teacherLaptop.goto(spanish(`/asistencia/projector/?session=${sessionId}`));
    await teacherLaptop.locator('#qr svg').waitFor();
    await teacherLaptop.locator('#fallback-code').filter({ hasText: /\d{3} \d{3}/ }).waitFor();
    await checkBothLanguages(teacherLaptop, 'projector', () => teacherLaptop.locator('#qr[aria-label]').filter({ hasNot: teacherLaptop.locator('[lang=es]') }).waitFor());
  });

  test('the scan page: the typed code with a refusal, then the confirmation', async () => {
    await phone.goto(spanish('/asistencia/scan/'));
    await phone.getByLabel('Código de 6 dígitos').fill('000 000');
    await phone.getByRole('button', { name: 'Continuar' }).click();
    await phone.locator('#code-error').getByText('Ese código no está vigente', { exact: false }).waitFor();
    await checkBothLanguages(phone, 'scan-code', () => phone.locator('#code-error').getByText('That code is not current', { exact: false }).waitFor());

    await phone.goto(spanish('/asistencia/scan/'));
    const code = (await teacherLaptop.locator('#fallback-code').textContent())!.replace(/\D/g, '');
    await phone.getByLabel('Código de 6 dígitos').fill(code);
    await phone.getByRole('button', { name: 'Continuar' }).click();
    await phone.getByRole('heading', { name: 'Asistencia registrada' }).waitFor();
    await checkBothLanguages(phone, 'scan-done', () => phone.getByRole('heading', { name: 'Attendance recorded' }).waitFor());
  });

  test('the scan page on a phone that holds no key', async () => {
    const page = await browser.newPage();
    await page.goto(`${spanish('/asistencia/scan/')}#some-scanned-token`);
    await page.getByRole('heading', { name: 'Este teléfono no tiene tu llave' }).waitFor();
    await checkBothLanguages(page, 'scan-no-key', () => page.getByRole('heading', { name: 'This phone does not hold your key' }).waitFor());
  });

  test('the student’s attendance', async () => {
    await phone.goto(spanish('/asistencia/student/'));
    await phone.getByRole('region', { name: 'Cálculo I' }).locator('.result-badge').first().waitFor();
    await checkBothLanguages(phone, 'student', () => phone.getByRole('heading', { level: 1, name: 'My attendance' }).waitFor());
  });

  test('the teacher’s sessions and the running session with its roster', async () => {
    await teacherLaptop.goto(spanish('/asistencia/teacher/'));
    await teacherLaptop.locator(`[data-session="${sessionId}"], a[href*="${sessionId}"]`).first().waitFor();
    await checkBothLanguages(teacherLaptop, 'teacher-list', () => teacherLaptop.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor());

    await teacherLaptop.goto(spanish(`/asistencia/teacher/?session=${sessionId}`));
    await teacherLaptop.getByRole('cell', { name: 'Luis Pérez' }).first().waitFor();
    await checkBothLanguages(teacherLaptop, 'teacher-session', () => teacherLaptop.getByRole('cell', { name: 'Luis Pérez' }).first().waitFor());

    await teacherLaptop.goto(spanish(`/asistencia/teacher/?session=${sessionId}`));
    await teacherLaptop.getByRole('button', { name: 'Corregir la asistencia de María Gómez' }).click();
    await teacherLaptop.getByRole('dialog', { name: 'Corregir la asistencia de María Gómez' }).waitFor();
    // A modal dialog makes the rest of the page inert: close it, switch, and open it again in English.
    await checkBothLanguages(
      teacherLaptop,
      'teacher-correction',
      () => teacherLaptop.getByRole('dialog', { name: 'Correct the attendance of María Gómez' }).waitFor(),
      async () => {
        await teacherLaptop.keyboard.press('Escape');
        await teacherLaptop.getByRole('button', { name: 'English' }).click();
        await teacherLaptop.getByRole('button', { name: 'Correct the attendance of María Gómez' }).click();
      },
    );
  });

  test('the admin’s lookup of a student', async () => {
    const page = await browser.newPage({ viewport: laptop });
    await portalSignIn(page, origin, '/asistencia/admin/', 'carmen.admin');
    await page.goto(spanish('/asistencia/admin/'));
    const lookup = page.locator('#lookup-form input').first();
    await lookup.fill('2');
    await lookup.press('Enter');
    await page.locator('.admin-device').first().waitFor();
    await checkBothLanguages(page, 'admin', () => page.locator('.admin-device').first().waitFor());
  });

  test('the development sign-in (npm start without a JWT secret)', async () => {
    dev = await startService({ env: { JWT_SECRET: undefined } });
    const page = await browser.newPage();
    await page.goto(`${dev.baseUrl}/asistencia/dev/?lang=es`);
    await page.getByRole('button', { name: /Entrar como Luis Pérez/ }).waitFor();
    await checkBothLanguages(page, 'dev-sign-in', () => page.getByRole('button', { name: /Luis Pérez/ }).filter({ hasNotText: 'Entrar' }).first().waitFor());
  });
});
