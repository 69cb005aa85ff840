import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { apiAs, draftSession } from '../support/api.js';
import { addVirtualAuthenticator, type BrowserHarness, launchBrowser, portalSignIn, screenshot } from '../support/browser.js';
import { users } from '../support/tokens.js';

/**
 * Switching language on a page, through Apache and the PHP portal: the error the service sent, already on
 * screen, is re-worded in the new language without asking again, and every later call asks the service in
 * the new language (Accept-Language follows the switch). Two kinds of page: the scan page, which keeps the
 * failure in its state, and the teacher's session page, whose message region shows it (showError).
 */
let door: Door;
let browser: BrowserHarness;
let origin: string;

beforeAll(async () => {
  door = await startDoor({ publicAsLocalhost: true });
  origin = door.origin;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

/** The Accept-Language of every call the page makes to the service's API from now on. */
function apiLanguages(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (request: Request) => {
    if (new URL(request.url()).pathname.startsWith('/asistencia/api/')) seen.push(request.headers()['accept-language'] ?? '(none)');
  });
  return seen;
}

describe('the English switch', () => {
  test('re-words a refusal on the scan page, and the next try asks the service in English', async () => {
    const phone = await browser.newPage();
    await addVirtualAuthenticator(phone);
    await portalSignIn(phone, origin, '/asistencia/enroll/', 'luis.estudiante');
    await phone.getByRole('button', { name: 'Registrar mi llave de acceso' }).click();
    await phone.getByText('Listo: tu llave de acceso quedó registrada', { exact: false }).waitFor();

    await phone.goto(`${origin}/asistencia/scan/`);
    const languages = apiLanguages(phone);
    const error = phone.locator('#code-error');
    await phone.getByLabel('Código de 6 dígitos').fill('000 000');
    await phone.getByRole('button', { name: 'Continuar' }).click();
    await error.getByText('Ese código no está vigente. Escribe el que se ve en pantalla ahora.').waitFor();
    expect(languages).toEqual(['es']);
    expect(await phone.locator('html').getAttribute('lang')).toBe('es');

    await phone.getByRole('button', { name: 'English' }).click();
    await error.getByText('That code is not current. Type the one on the screen now.').waitFor();
    expect(await phone.locator('html').getAttribute('lang')).toBe('en');
    expect(languages).toEqual(['es']); // re-worded from what the service sent, not asked again
    await screenshot(phone, 'language-scan-refusal-en');

    await phone.getByLabel('6-digit code').fill('111 111');
    const answer = phone.waitForResponse((response) => new URL(response.url()).pathname.startsWith('/asistencia/api/'));
    await phone.getByRole('button', { name: 'Continue' }).click();
    const body = (await (await answer).json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'SCAN_FALLBACK_UNKNOWN', message: 'That code is not current. Type the one on the screen now.' });
    expect(languages).toEqual(['es', 'en']);
    await error.getByText('That code is not current.', { exact: false }).waitFor();

    await phone.getByRole('button', { name: 'Español' }).click();
    await error.getByText('Ese código no está vigente. Escribe el que se ve en pantalla ahora.').waitFor();
    expect(browser.pageErrors(phone)).toEqual([]);
  });

  test('re-words the refusal shown on the teacher’s session page', async () => {
    // Pedro's session, opened by Ana from a shared link: the service refuses it (SESSION_NOT_YOURS).
    const pedros = (await apiAs(door.service.baseUrl, users.otherTeacher).post('/api/sessions', draftSession({ courseId: 'FIS201' }))).body as { id: string };
    const laptop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await portalSignIn(laptop, origin, '/asistencia/teacher/', 'ana.docente');
    const languages = apiLanguages(laptop);
    await laptop.goto(`${origin}/asistencia/teacher/?session=${pedros.id}`);
    const message = laptop.locator('#session-message');
    await message.getByText('Solo el docente de esta sesión (o un administrador) puede hacer esto.').waitFor();
    const asked = languages.length;
    expect(new Set(languages)).toEqual(new Set(['es']));

    await laptop.getByRole('button', { name: 'English' }).click();
    await message.getByText('Only this session’s teacher (or an admin) can do this.').waitFor();
    expect(await laptop.locator('html').getAttribute('lang')).toBe('en');
    await screenshot(laptop, 'language-teacher-refusal-en');

    await laptop.getByRole('button', { name: 'Español' }).click();
    await message.getByText('Solo el docente de esta sesión (o un administrador) puede hacer esto.').waitFor();
    expect(languages).toHaveLength(asked);
    expect(browser.pageErrors(laptop)).toEqual([]);
  });
});
