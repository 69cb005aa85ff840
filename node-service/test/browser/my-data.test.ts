import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enrolledPhone, liveSession, scanner } from '../scan/support.js';
import { type BrowserHarness, launchBrowser, pageSignedInAs, screenshot, downloadedBytes } from '../support/browser.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';

/**
 * "Mis datos" on "Mi asistencia": a student downloads everything the service holds about them, in Chromium
 * against the real service. The portal's token request is answered as in student-admin.test.ts.
 */
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
  await session.teacher.post(`/api/sessions/${sessionId}/close`);
  session.close();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const studentPage = (): Promise<Page> => pageSignedInAs(browser, users.student, `${service.baseUrl}/asistencia/student/`);

describe('Mis datos', () => {
  test('a student downloads their data as JSON, with their confirmation and its receipt, and as CSV', async () => {
    const page = await studentPage();
    const card = page.getByRole('region', { name: 'Mis datos' });
    await card.getByText('Nunca se guarda tu huella ni tu rostro', { exact: false }).waitFor();
    // Luis enrolled his phone just now: "Mi asistencia" tells him, and what to do if it was not him.
    await page.getByText('Hubo un cambio en tus dispositivos el', { exact: false }).waitFor();
    expect(await page.locator('#device-notice').textContent()).toMatch(/si no lo hiciste tú, cambia tu contraseña del portal y avisa a administración\.$/);

    const [json] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Descargar mis datos (JSON)' }).click()]);
    expect(json.suggestedFilename()).toBe('mis-datos-2.json');
    const data = JSON.parse((await downloadedBytes(json)).toString('utf8'));
    expect(data.identity.studentId).toBe('2');
    expect(data.confirmations).toEqual([expect.objectContaining({ sessionId, receipt: expect.objectContaining({ sessionId }) })]);
    await card.getByText('Descargado: mis-datos-2.json').waitFor();

    const [csv] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Descargar mis datos (CSV)' }).click()]);
    expect(csv.suggestedFilename()).toBe('mis-datos-2.csv');
    expect((await downloadedBytes(csv)).toString('utf8')).toMatch(/^\uFEFFsección;elemento;campo;valor\r\nexportación;1;generatedAt;\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\r\n/);
    await screenshot(page, 'student-my-data');
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('in English too', async () => {
    const page = await studentPage();
    await page.getByRole('region', { name: 'Mis datos' }).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    const card = page.getByRole('region', { name: 'My data' });
    await card.getByRole('button', { name: 'Download my data (JSON)' }).waitFor();
  });
});
