import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtPagesDir, launchBrowser, readProjectorQr, screenshot, type BrowserHarness } from '../support/browser.js';
import { liveClaim } from '../support/live-codes.js';
import { startService, type RunningService } from '../support/service.js';

/**
 * The teacher's pages and the classroom projector in Chromium, against the real service in development
 * sign-in mode: a session made, opened and run from the teacher page; the projector's QR, read back from
 * screenshots, is a live code and changes every period; it disappears when it goes stale, when the round
 * ends and when the session closes.
 */
const PERIOD_MS = 2000;
const laptop = { width: 1280, height: 800 };
const projectorScreen = { width: 1920, height: 1080 };

describe('teacher page and projector', () => {
  let service: RunningService;
  let browser: BrowserHarness;

  beforeAll(async () => {
    if (!existsSync(join(builtPagesDir, 'teacher', 'index.html'))) {
      throw new Error(`No built pages in ${builtPagesDir}: run \`npx vite build\` in node-service first.`);
    }
    // No JWT secret: the development sign-in stands in for the portal. A 20 s ceiling on the rotation period
    // lets the test see the service refuse a draft the page itself accepts.
    service = await startService({ env: { JWT_SECRET: undefined, SESSION_MIN_PERIOD_MS: '1000', SESSION_MAX_PERIOD_MS: '20000' } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  const signIn = async (page: Page, name: string, next: string): Promise<void> => {
    await page.goto(`${service.baseUrl}/asistencia/dev/?next=${encodeURIComponent(next)}`);
    await page.getByRole('button', { name: `Entrar como ${name} (docente)` }).click();
    await page.waitForURL(`${service.baseUrl}${next}`);
  };

  /** Read within three periods: the page may be between two codes at the moment it is looked at. */
  const readQr = (page: Page, name: string): Promise<string> => readProjectorQr(page, name, 3 * PERIOD_MS);

  const claimOf = (url: string) => liveClaim(service, url.split('#')[1] ?? '', { periodMs: PERIOD_MS, graceMs: PERIOD_MS });

  /** Routes the context's WebSockets through a switch that can silence the server, like a dead link. */
  const wsSwitch = async (context: BrowserContext) => {
    const state = { silent: false, connections: 0 };
    await context.routeWebSocket(/\/asistencia\/ws$/, (page) => {
      state.connections += 1;
      const server = page.connectToServer();
      page.onMessage((message) => server.send(message));
      server.onMessage((message) => {
        if (!state.silent) page.send(message);
      });
    });
    return state;
  };

  test('a teacher creates, opens and projects a session; the projector shows only live codes', async () => {
    const teacher = await browser.newPage({ viewport: laptop });
    const link = await wsSwitch(teacher.context());
    await signIn(teacher, 'Ana Martínez', '/asistencia/teacher/');
    await teacher.getByRole('heading', { level: 1, name: 'Mis sesiones' }).waitFor();
    await teacher.getByText('Todavía no has creado ninguna sesión.').waitFor();

    // The page checks each field where it was typed…
    const create = teacher.getByRole('button', { name: 'Crear sesión' });
    await create.click();
    await teacher.getByText('Indica la sala.').waitFor();
    expect(await teacher.getByLabel('Sala').getAttribute('aria-invalid')).toBe('true');
    await teacher.getByLabel('Sala').fill('Aula 204');
    await teacher.getByLabel('Rondas').fill('2');
    await teacher.getByText('Opciones avanzadas').click();
    // The typed code's weakness is said where it is switched on.
    await teacher.getByText('seis dígitos se pueden dictar por teléfono', { exact: false }).waitFor();
    await teacher.getByLabel('Redes del campus').fill('10.20.0.0/16\n10.0.0.0/33');
    await create.click();
    await teacher.getByText('Estas líneas no son redes CIDR válidas: 10.0.0.0/33').waitFor();
    await screenshot(teacher, 'teacher-create-invalid-es');
    // A host inside the network is named with the network it probably means (the service refuses it too).
    await teacher.getByLabel('Redes del campus').fill('10.30.0.0/16\n10.20.0.1/16');
    await create.click();
    await teacher.getByText('Estas líneas nombran un equipo, no una red; escribe la red: 10.20.0.1/16 → 10.20.0.0/16').waitFor();
    await teacher.getByLabel('Redes del campus').fill('');
    // …and shows the service's own reason when the service refuses.
    await teacher.getByLabel('Cambio del QR (segundos)').fill('25');
    await create.click();
    await teacher.getByText('El periodo de rotación debe estar entre 1000 y 20000 ms.').first().waitFor();
    await teacher.getByLabel('Cambio del QR (segundos)').fill(String(PERIOD_MS / 1000));
    await teacher.getByLabel(/código numérico/).check();
    await create.click();

    await teacher.waitForURL(/\/asistencia\/teacher\/\?session=[0-9a-f-]{36}$/);
    const sessionId = new URL(teacher.url()).searchParams.get('session')!;
    await teacher.getByRole('heading', { level: 1, name: 'Cálculo I · Aula 204' }).waitFor();
    await teacher.getByText('Programada', { exact: true }).waitFor();
    await teacher.getByRole('button', { name: 'Abrir la sesión de clase' }).click();
    await teacher.getByText('Sesión abierta. Ya puedes iniciar la primera ronda.').waitFor();
    await teacher.getByRole('button', { name: 'Iniciar ronda 1' }).click();
    await teacher.getByText('0 / 3 presentes en la ronda 1').waitFor();
    const rows = teacher.locator('table.roster tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.locator('td.roster__mark[data-confirmed="false"]').count()).toBe(3);
    await screenshot(teacher, 'teacher-session-round-es');

    // "Proyectar" opens the projector in a new window, moved to the classroom screen.
    const [projector] = await Promise.all([
      teacher.context().waitForEvent('page'),
      teacher.getByRole('link', { name: 'Proyectar' }).click(),
    ]);
    await projector.setViewportSize(projectorScreen);
    expect(new URL(projector.url()).searchParams.get('session')).toBe(sessionId);
    const qr = projector.locator('#qr svg');
    await qr.waitFor();
    await projector.getByText('Ronda 1 de 2').waitFor();
    await projector.getByText('0 / 3 presentes').waitFor();

    const first = await readQr(projector, 'projector-round1-a');
    expect(first).toMatch(/\/asistencia\/scan\/#[\w-]{22}$/);
    expect(await claimOf(first)).toMatchObject({ sessionId, round: 1 });
    const fallback = (await projector.locator('#fallback-code').textContent()) ?? '';
    expect(fallback).toMatch(/^\d{3} \d{3}$/);

    await projector.waitForTimeout(PERIOD_MS);
    const second = await readQr(projector, 'projector-round1-b');
    expect(second).not.toBe(first);
    expect(await claimOf(second)).toMatchObject({ sessionId, round: 1 });

    // Frames stop arriving (a dead link): the code goes away instead of staying up to be scanned dead.
    link.silent = true;
    await projector.locator('#notice').getByText('Reconectando…').waitFor({ timeout: PERIOD_MS + 3000 });
    expect(await qr.count()).toBe(0);
    await screenshot(projector, 'projector-stale');
    link.silent = false;
    await qr.waitFor();

    // The service restarts its sockets (1012): the page reconnects by itself and shows a live code again.
    const before = link.connections;
    service.app.gateway.closeAll();
    await expect.poll(() => link.connections, { timeout: 10_000 }).toBeGreaterThan(before);
    await projector.locator('#connection[data-status="online"]').waitFor();
    await qr.waitFor();
    expect(await claimOf(await readQr(projector, 'projector-after-reconnect'))).toMatchObject({ sessionId, round: 1 });

    // Ending the round takes the code down at once; the next round brings one back.
    await teacher.getByRole('button', { name: 'Terminar ronda 1' }).click();
    await projector.getByText('Esperando a que el docente inicie una ronda').waitFor();
    expect(await qr.count()).toBe(0);
    await screenshot(projector, 'projector-between-rounds');
    await teacher.getByRole('button', { name: 'Iniciar ronda 2' }).click();
    await projector.getByText('Ronda 2 de 2').waitFor();
    await qr.waitFor();

    // Closing (after the teacher confirms) ends it for good.
    teacher.once('dialog', (dialog) => void dialog.accept());
    await teacher.getByRole('button', { name: 'Cerrar la sesión de clase' }).click();
    await projector.getByText('La sesión está cerrada').waitFor();
    expect(await qr.count()).toBe(0);
    expect(await projector.locator('#fallback-code').textContent()).toBe('');
    await screenshot(projector, 'projector-closed');

    await teacher.getByText('Cerrada', { exact: true }).waitFor();
    expect(await teacher.locator('.session-actions button, .session-actions a').count()).toBe(0);
    expect(await teacher.locator('table.roster thead th').allTextContents()).toEqual(['Selección', 'Estudiante', 'Estado', 'Tendencia', 'R1', 'R2', 'Rondas']);
    await screenshot(teacher, 'teacher-session-closed-es');

    // Once in English: the same session, then the list.
    await teacher.getByRole('button', { name: 'English' }).click();
    await teacher.getByText('Closed', { exact: true }).waitFor();
    await teacher.getByText('3 students on the list').waitFor();
    await teacher.getByText('Session closed.').waitFor();
    await screenshot(teacher, 'teacher-session-closed-en');
    await teacher.getByRole('link', { name: '← My sessions' }).click();
    await teacher.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
    await teacher.getByRole('button', { name: 'New session' }).waitFor();
    // In the list of sessions (today's class is also under "Today", above it).
    await teacher.locator('#sessions').getByRole('link', { name: 'Cálculo I · Aula 204' }).waitFor();
    await teacher.getByRole('region', { name: 'Today' }).getByRole('link', { name: 'Cálculo I · Aula 204' }).waitFor();
    await screenshot(teacher, 'teacher-list-en');

    expect(browser.pageErrors(teacher)).toEqual([]);
    expect(browser.pageErrors(projector)).toEqual([]);
  });

  test("another teacher cannot project someone else's session", async () => {
    const owner = await browser.newPage({ viewport: laptop });
    await signIn(owner, 'Ana Martínez', '/asistencia/teacher/');
    const sessionId = await owner.evaluate(async () => {
      const { token } = (await (await fetch('/asistencia/dev/token')).json()) as { token: string };
      const start = new Date();
      const response = await fetch('/asistencia/api/sessions', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          courseId: 'MAT101',
          room: 'Aula 101',
          plannedStart: start.toISOString(),
          plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(),
          roundsPlanned: 1,
        }),
      });
      return ((await response.json()) as { id: string }).id;
    });

    const other = await browser.newPage({ viewport: projectorScreen });
    await signIn(other, 'Pedro Sánchez', `/asistencia/projector/?session=${sessionId}`);
    await other.getByText('Solo el docente de esta sesión puede proyectarla.').waitFor();
    expect(await other.locator('#qr svg').count()).toBe(0);
    await screenshot(other, 'projector-not-yours');
    expect(browser.pageErrors(other)).toEqual([]);
  });
});
