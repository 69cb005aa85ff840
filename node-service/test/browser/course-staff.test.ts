import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { apiAs, draftSession } from '../support/api.js';
import { launchBrowser, portalSignIn, screenshot, type BrowserHarness } from '../support/browser.js';
import { users } from '../support/tokens.js';

/**
 * An assistant ("ayudante", issue 26) in Chromium, through Apache and the PHP portal, whose seed makes Diego Rojas
 * assistant of Cálculo I: the course is in his "Mis cursos" and his "Hoy" as "Ayudante", he opens today's class
 * with the one button, and no page offers him what he may not do (plan classes, change the course's settings,
 * decide justifications, export). Checked by removal: with the pages ignoring the rights, the minimum's form and
 * the planning buttons showed.
 */
const laptop = { width: 1280, height: 900 };
let door: Door;
let browser: BrowserHarness;
let today: string;

beforeAll(async () => {
  door = await startDoor({ publicAsLocalhost: true });
  browser = await launchBrowser();
  const start = new Date(Date.now() + 60_000);
  const created = await apiAs(door.service.baseUrl, users.teacher).post(
    '/api/sessions',
    draftSession({ room: 'Aula 108', plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 60 * 60_000).toISOString() }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  today = created.body.id as string;
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

async function assistantPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: laptop });
  await portalSignIn(page, door.origin, '/asistencia/teacher/', 'diego.ayudante');
  return page;
}

describe('an assistant', () => {
  test('sees the course as Ayudante, opens today’s class, and is offered nothing an assistant may not do', async () => {
    const page = await assistantPage();
    const course = page.locator('#course-links li[data-course="MAT101"]');
    await course.getByText('Cálculo I').waitFor();
    expect(await course.locator('.course-role').textContent()).toBe('Ayudante');
    const item = page.getByRole('region', { name: 'Hoy' }).locator(`li[data-session="${today}"]`);
    expect(await item.locator('.course-role').textContent()).toBe('Ayudante');
    // Nothing to plan: no new session, series or import, and the page says why.
    await page.getByText('Eres ayudante en tus cursos', { exact: false }).waitFor();
    for (const id of ['#new-session', '#new-series', '#new-import']) expect(await page.locator(id).isVisible(), id).toBe(false);
    await screenshot(page, 'staff-assistant-list');

    const [projector] = await Promise.all([page.context().waitForEvent('page'), item.getByRole('button', { name: 'Abrir, iniciar la ronda 1 y proyectar' }).click()]);
    await page.waitForURL(new RegExp(`\\?session=${today}$`));
    await projector.locator('#qr svg').waitFor();
    const { rows } = await door.service.db.query('SELECT state, current_round FROM attendance.sessions WHERE id = $1', [today]);
    expect(rows[0]).toEqual({ state: 'open', current_round: 1 });
    await page.getByRole('button', { name: 'Terminar ronda 1' }).waitFor();
    // The class's exports carry personal data: not offered; nor are corrections other than "present".
    expect(await page.locator('[data-export]:visible').count()).toBe(0);
    expect(await page.locator('[data-action="edit"], [data-action="delete"]').count()).toBe(0);
    await page.locator('[data-correct="4"]').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.locator('input[type="radio"]:visible').evaluateAll((radios) => radios.map((r) => (r as unknown as { value: string }).value))).toEqual(['manual_present']);
    await dialog.locator('#correction-reason').fill('Estaba en la sala');
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: 'hidden' });
    const marked = await door.service.db.query("SELECT new_status, actor_id FROM attendance.corrections WHERE session_id = $1 AND student_id = '4'", [today]);
    expect(marked.rows).toEqual([{ new_status: 'manual_present', actor_id: '8' }]);

    await page.goto(`${door.origin}/asistencia/teacher/?course=MAT101`);
    await page.getByText('Tu rol en este curso: Ayudante').waitFor();
    await page.getByRole('heading', { name: 'Política de nota' }).waitFor();
    for (const id of ['#minimum-percent', '#minimum-reason', '#grade-policy-reason']) expect(await page.locator(id).count(), id).toBe(0);
    expect(await page.locator('[data-export]:visible').count()).toBe(0);
    expect(await page.getByRole('heading', { name: /^Justificaciones/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Guardar' }).count()).toBe(0);
    // Nor the LMS card: the course's LMS link is its teacher's and co-teachers' (the LTI routes refuse an assistant).
    expect(await page.locator('[data-lms-panel]').count()).toBe(0);
    await screenshot(page, 'staff-assistant-course');
    expect(browser.pageErrors(page)).toEqual([]);
    expect(browser.pageErrors(projector)).toEqual([]);
  });
});
