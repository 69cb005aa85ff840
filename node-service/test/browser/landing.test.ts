import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtPagesDir, launchBrowser, screenshot, type BrowserHarness } from '../support/browser.js';
import { startService, type RunningService } from '../support/service.js';


const heading = {
  es: 'Asistencia a clase con código QR y llave de acceso',
  en: 'Class attendance with a QR code and a passkey',
};

describe('landing page and development sign-in', () => {
  let service: RunningService;
  let browser: BrowserHarness;

  beforeAll(async () => {
    if (!existsSync(join(builtPagesDir, 'index.html'))) {
      throw new Error(`No built pages in ${builtPagesDir}: run \`npx vite build\` in node-service first.`);
    }
    // No JWT secret: the service runs its development sign-in, which stands in for the portal here.
    service = await startService({ env: { JWT_SECRET: undefined } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  const open = async (page: Page, path: string): Promise<void> => {
    await page.goto(`${service.baseUrl}${path}`);
  };

  test('speaks Spanish first, switches to English without reloading and remembers the choice', async () => {
    const page = await browser.newPage();
    await open(page, '/asistencia/');

    await page.locator('html[lang="es"]').waitFor({ state: 'attached' });
    await page.getByRole('heading', { level: 1, name: heading.es }).waitFor();
    const signIn = page.getByRole('link', { name: 'Iniciar sesión' });
    await signIn.waitFor();
    expect(await signIn.getAttribute('href')).toBe('/asistencia/dev/?next=%2Fasistencia%2F');
    await screenshot(page, 'landing-es-signed-out');

    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    await page.getByRole('heading', { level: 1, name: heading.en }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'landing-en-signed-out');

    await page.reload();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    await page.getByRole('heading', { level: 1, name: heading.en }).waitFor();
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('dev sign-in lists the demo users; signing in as the teacher greets her with the teacher link', async () => {
    const page = await browser.newPage();
    await open(page, '/asistencia/dev/');

    await page.getByText('Entorno de desarrollo — no usar en producción').waitFor();
    await page.getByText('No has iniciado sesión.').waitFor();
    const teacher = page.getByRole('button', { name: 'Entrar como Ana Martínez (docente)' });
    await teacher.waitFor();
    expect(await page.getByRole('button', { name: /^Entrar como .+ \(estudiante\)$/ }).count()).toBeGreaterThan(0);
    await screenshot(page, 'dev-sign-in-es');

    await teacher.click();
    await page.waitForURL(`${service.baseUrl}/asistencia/`);
    await page.getByText('Hola, Ana Martínez').waitFor();
    const link = page.getByRole('link', { name: 'Mis sesiones de clase' });
    expect(await link.getAttribute('href')).toBe('/asistencia/teacher/');
    await screenshot(page, 'landing-es-teacher');

    await open(page, '/asistencia/dev/');
    await page.getByText('Has iniciado sesión como Ana Martínez (docente).').waitFor();
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.getByText('Has cerrado la sesión.').waitFor();
    await open(page, '/asistencia/');
    await page.getByRole('link', { name: 'Iniciar sesión' }).waitFor();
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('after signing in, goes back to `next` only when it is a page of this site', async () => {
    const page = await browser.newPage();
    const signInAsTeacher = async (next: string): Promise<string> => {
      await open(page, `/asistencia/dev/?next=${encodeURIComponent(next)}`);
      await page.getByRole('button', { name: 'Entrar como Ana Martínez (docente)' }).click();
      await page.waitForURL((url) => !url.pathname.startsWith('/asistencia/dev/'));
      return page.url();
    };
    const home = `${service.baseUrl}/asistencia/`;

    expect(await signInAsTeacher('/asistencia/?from=dev#account')).toBe(`${home}?from=dev#account`);
    expect(await signInAsTeacher('//evil.example/asistencia/')).toBe(home);
    expect(await signInAsTeacher('https://evil.example/asistencia/')).toBe(home);
    expect(await signInAsTeacher('/asistencia/../elsewhere/')).toBe(home);
  });
});
