import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, startDoor, type Door } from '../door/door.js';
import { axeViolations } from '../support/axe.js';
import { type BrowserHarness, launchBrowser, portalSignIn, screenshot } from '../support/browser.js';
import { request } from '../support/apache.js';

/**
 * Every page's header, through Apache and the PHP portal on a 390 px phone: the name of the person signed
 * in, "Mis cursos" back to the first page of their role, and "Salir", which goes to the portal's sign-out
 * (a confirmation, then a POST with its CSRF token) and ends the session: the token the page held is
 * refused afterwards (the portal revoked it at node-service) and the pages ask to sign in again. In Spanish
 * and in English, axe-clean, without widening the page. And the icon every page names answers.
 */
let door: Door;
let browser: BrowserHarness;
let origin: string;

beforeAll(async () => {
  door = await startDoor();
  origin = door.origin;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

/** The last portal token the page sent to the service's API. */
function tokensSent(page: Page): string[] {
  const tokens: string[] = [];
  page.on('request', (sent: Request) => {
    const authorization = sent.headers()['authorization'];
    if (new URL(sent.url()).pathname.startsWith('/asistencia/api/') && authorization?.startsWith('Bearer ')) tokens.push(authorization.slice(7));
  });
  return tokens;
}

async function widthOf(page: Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth')) as number;
}

describe('the header', () => {
  test('in Spanish: a teacher’s name, "Mis cursos" back to her sessions, "Salir" ends the portal session', async () => {
    const page = await browser.newPage();
    const tokens = tokensSent(page);
    await portalSignIn(page, origin, '/asistencia/teacher/', 'ana.docente');
    const account = page.getByRole('navigation', { name: 'Tu cuenta' });
    await account.getByText('Ana Martínez', { exact: true }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Mis sesiones' }).waitFor();
    expect(await widthOf(page)).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'header-teacher-es');

    await page.goto(`${origin}/asistencia/`);
    await account.getByText('Ana Martínez', { exact: true }).waitFor();
    await account.getByRole('link', { name: 'Mis cursos' }).click();
    await page.waitForURL((url) => url.pathname === '/asistencia/teacher/');
    await page.getByRole('heading', { level: 1, name: 'Mis sesiones' }).waitFor();
    const held = tokens.at(-1)!;
    expect((await call(`${origin}/asistencia/api/me`, held)).status).toBe(200);

    await account.getByRole('link', { name: 'Salir' }).click();
    await page.waitForURL((url) => url.pathname === '/logout.php');
    await page.getByRole('heading', { level: 1, name: '¿Cerrar sesión?' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'header-logout-confirm-es');
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.waitForURL((url) => url.pathname === '/login.php');
    await page.getByText('Cerraste la sesión.').waitFor();

    // The page's old state no longer opens anything: the token it held is refused, and the page asks to sign in.
    const refused = await call(`${origin}/asistencia/api/me`, held);
    expect(refused.status).toBe(401);
    await page.goto(`${origin}/asistencia/teacher/`);
    await page.waitForURL((url) => url.pathname === '/login.php');
    await page.getByRole('button', { name: 'Entrar' }).waitFor();
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('in English: a student’s name, "My courses" back to his attendance, "Sign out" in English too', async () => {
    const page = await browser.newPage();
    const tokens = tokensSent(page);
    await portalSignIn(page, origin, '/asistencia/enroll/', 'luis.estudiante');
    await page.getByRole('button', { name: 'English' }).click();
    const account = page.getByRole('navigation', { name: 'Your account' });
    await account.getByText('Luis Pérez', { exact: true }).waitFor();
    expect(await account.getByRole('link', { name: 'Sign out' }).getAttribute('href')).toBe(
      `/logout.php?lang=en&next=${encodeURIComponent('/asistencia/enroll/')}`,
    );
    expect(await widthOf(page)).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'header-student-en');

    await account.getByRole('link', { name: 'My courses' }).click();
    await page.waitForURL((url) => url.pathname === '/asistencia/student/');
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    await account.getByText('Luis Pérez', { exact: true }).waitFor();
    const held = tokens.at(-1)!;
    expect((await call(`${origin}/asistencia/api/me`, held)).status).toBe(200);

    await account.getByRole('link', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/logout.php');
    await page.getByRole('heading', { level: 1, name: 'Sign out?' }).waitFor();
    // Changing one's mind goes back to the page "Sign out" was clicked on.
    expect(await page.getByRole('link', { name: 'No, go back' }).getAttribute('href')).toBe('/asistencia/student/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login.php');
    await page.getByText('You have signed out.').waitFor();

    expect((await call(`${origin}/asistencia/api/me`, held)).status).toBe(401);
    await page.goto(`${origin}/asistencia/student/`);
    await page.waitForURL((url) => url.pathname === '/login.php');
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('signed out, the header names nobody and offers no "Salir"', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/asistencia/`);
    await page.getByRole('link', { name: 'Iniciar sesión' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Tu cuenta' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Salir' }).count()).toBe(0);
  });
});

describe('the icon', () => {
  test('every page names one that answers, and /favicon.ico answers at the door', async () => {
    const page = await browser.newPage();
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    await page.goto(`${origin}/asistencia/`);
    const icons = (await page.evaluate(`[...document.querySelectorAll('link[rel="icon"]')].map((link) => link.href)`)) as string[];
    expect(icons.map((href) => new URL(href).pathname)).toEqual(['/asistencia/favicon.svg', '/asistencia/favicon.ico']);
    for (const href of [...icons, `${origin}/favicon.ico`]) {
      const answer = await request(href);
      expect({ href, status: answer.status }).toEqual({ href, status: 200 });
      expect(answer.headers['content-type']).toMatch(/^image\/(svg\+xml|x-icon|vnd\.microsoft\.icon)/);
    }
    expect(missing).toEqual([]);
  });
});
