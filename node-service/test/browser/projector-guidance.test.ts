import { readFile } from 'node:fs/promises';
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { launchBrowser, screenshot, type BrowserHarness } from '../support/browser.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * The projector tells students what to do, in Chromium on a 1920×1080 classroom screen, against the real
 * service: one line for the camera and the fingerprint, the short address beside the six digits, a hint
 * for the first time, and the course name large enough for the back row. The portal's part (the page's
 * token request) is answered with a portal-signed token for the teacher.
 */
let service: RunningService;
let browser: BrowserHarness;
let projector: Page;
let sessionId: string;

beforeAll(async () => {
  service = await startService();
  browser = await launchBrowser();
  const teacher = apiAs(service.baseUrl, users.teacher);
  sessionId = (await teacher.post('/api/sessions', draftSession({ rotationPeriodMs: 5000, fallbackCodeEnabled: true }))).body.id;
  await teacher.post(`/api/sessions/${sessionId}/open`);
  projector = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await projector.context().route('**/token.php', async (route) =>
    route.fulfill({ json: { token: await portalToken(users.teacher), expiresAt: Math.floor(Date.now() / 1000) + 300 } }),
  );
  await projector.goto(`${service.baseUrl}/asistencia/projector/?session=${sessionId}`);
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const guide = () => projector.getByText('Escanea el código con la cámara de tu teléfono y confirma con tu huella o tu cara.');

describe('projector guidance', () => {
  test('before a round there is no code, and no instructions to follow', async () => {
    await projector.getByText('Esperando a que el docente inicie una ronda').waitFor();
    expect(await guide().isVisible()).toBe(false);
  });

  test('with a code on screen: the camera-and-fingerprint line, the first-time hint, and where to type the digits', async () => {
    await apiAs(service.baseUrl, users.teacher).post(`/api/sessions/${sessionId}/rounds`);
    await projector.locator('#qr svg').waitFor();
    await guide().waitFor();
    await projector.getByText('¿Primera vez? Al escanear, tu teléfono te guiará para registrar tu llave de acceso', { exact: false }).waitFor();
    const fallback = projector.locator('#fallback');
    await fallback.getByText('¿Sin cámara? Entra a').waitFor();
    expect(await fallback.locator('#fallback-address').textContent()).toBe(`${service.config.publicUrl.host}/asistencia/scan`);
    await fallback.getByText('y escribe este código:').waitFor();
    expect(await fallback.locator('#fallback-code').textContent()).toMatch(/^\d{3} \d{3}$/);

    // The code still reads from a screenshot with the guidance on screen.
    const png = PNG.sync.read(await readFile(await screenshot(projector, 'projector-guidance')));
    const code = jsQR.default(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    expect(code?.data).toMatch(/\/asistencia\/scan\/#[\w-]{22}$/);
    expect(browser.pageErrors(projector)).toEqual([]);
  });

  test('the course name is large enough to read from the back row', async () => {
    const course = projector.locator('#course');
    expect(await course.textContent()).toBe('Cálculo I');
    const pixels = Number.parseFloat(await projector.evaluate<string>("getComputedStyle(document.querySelector('#course')).fontSize"));
    expect(pixels, 'font size of the course name on a 1080-pixel-high screen').toBeGreaterThanOrEqual(54);
  });

  test('in English too', async () => {
    await projector.getByRole('button', { name: 'English' }).click();
    await projector.getByText("Scan the code with your phone's camera and confirm with your fingerprint or face.").waitFor();
    await projector.getByText('First time? When you scan, your phone will guide you to enrol your passkey', { exact: false }).waitFor();
    await projector.getByText('No camera? Go to').waitFor();
    await screenshot(projector, 'projector-guidance-en');
  });
});
