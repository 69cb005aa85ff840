import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { launchBrowser, type BrowserHarness } from '../support/browser.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * The service ends a socket at its token's `exp`; the pages send a fresh token before then. Chromium runs
 * the projector page against the real service; the portal's `/token.php` is played by the test, handing out
 * tokens that live 9 s. Checked once without the page's planned renewal: the socket is closed at the first
 * `exp` (4401 AUTH_TOKEN_EXPIRED) and this test fails.
 */
const TOKEN_LIFE_SECONDS = 9;

describe('a page keeps its socket past its token’s exp by re-authenticating', () => {
  let service: RunningService;
  let browser: BrowserHarness;

  beforeAll(async () => {
    service = await startService();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  /** The portal's token endpoint, as the page calls it (same origin), with short-lived tokens. */
  const playPortal = (page: Page) =>
    page.route('**/token.php', async (route) => {
      const expiresAt = Math.floor(Date.now() / 1000) + TOKEN_LIFE_SECONDS;
      await route.fulfill({ json: { token: await portalToken(users.teacher, { exp: expiresAt }), expiresAt } });
    });

  test('the projector sends a fresh token on the same socket before each exp, and is never closed', async () => {
    const teacher = apiAs(service.baseUrl, users.teacher);
    const { body } = await teacher.post('/api/sessions', draftSession({ rotationPeriodMs: 3000 }));
    await teacher.post(`/api/sessions/${body.id}/open`);
    await teacher.post(`/api/sessions/${body.id}/rounds`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await playPortal(page);
    const sockets: Array<{ auths: number; closed: boolean }> = [];
    page.on('websocket', (socket) => {
      const seen = { auths: 0, closed: false };
      sockets.push(seen);
      socket.on('framesent', ({ payload }) => {
        if ((JSON.parse(String(payload)) as { type: string }).type === 'auth') seen.auths += 1;
      });
      socket.on('close', () => (seen.closed = true));
    });
    await page.goto(`${service.baseUrl}/asistencia/projector/?session=${body.id}`);
    await page.locator('#qr svg').waitFor({ state: 'visible', timeout: 10_000 });

    // Two token lives and a half.
    await new Promise((resolve) => setTimeout(resolve, 2.5 * TOKEN_LIFE_SECONDS * 1000));
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.closed).toBe(false);
    expect(sockets[0]!.auths).toBeGreaterThanOrEqual(3);
    await page.locator('#qr svg').waitFor({ state: 'visible', timeout: 5000 });
    expect(browser.pageErrors(page)).toEqual([]);
  }, 90_000);
});
