import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { axeViolations } from '../support/axe.js';
import { type BrowserHarness, launchBrowser, portalSignIn, screenshot } from '../support/browser.js';

/**
 * "Mi calendario" through Apache and the PHP portal: a student on a 390 px phone (from "Mi asistencia") and a
 * teacher (from "Mis sesiones") make their secret feed addresses, a calendar app reads them through the
 * door with no portal token, and making new ones or turning them off ends the old ones. Axe-clean, both languages.
 */
let door: Door;
let browser: BrowserHarness;

beforeAll(async () => {
  door = await startDoor({ publicAsLocalhost: true });
  browser = await launchBrowser();
  // One class of Cálculo I next week, so the feed has an event.
  const start = new Date(Date.now() + 7 * 24 * 60 * 60_000);
  const { apiAs, draftSession } = await import('../support/api.js');
  const { users } = await import('../support/tokens.js');
  const created = await apiAs(door.service.baseUrl, users.teacher).post('/api/sessions', draftSession({ plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString() }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

/** What a calendar app gets at an address: no cookie, no portal token. */
async function calendarApp(url: string) {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('Mi calendario', () => {
  test('a student makes a link per course from "Mi asistencia", a calendar app reads it; new links end the old ones, turning off ends all', async () => {
    const page = await browser.newPage();
    await portalSignIn(page, door.origin, '/asistencia/student/', 'luis.estudiante');
    await page.getByRole('link', { name: 'Mis clases en mi calendario' }).click();
    await page.waitForURL((url) => url.pathname === '/asistencia/calendar/');
    await page.getByRole('heading', { level: 1, name: 'Mi calendario' }).waitFor();
    await page.getByText('No tienes enlaces de calendario activos.').waitFor();
    await page.getByRole('button', { name: 'Crear mis enlaces' }).click();
    const link = page.getByLabel('Enlace de MAT101 Cálculo I');
    await link.waitFor();
    await page.getByLabel('Enlace de FIS201 Física II').waitFor();
    const first = await link.inputValue();
    expect(new URL(first).origin).toBe(door.origin);
    const feed = await calendarApp(first);
    expect(feed.status).toBe(200);
    expect(feed.type).toBe('text/calendar; charset=utf-8');
    expect(feed.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(feed.text).toContain('SUMMARY:Cálculo I (MAT101)');
    expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'calendar-student-es');

    await page.getByRole('button', { name: 'Crear enlaces nuevos (los anteriores dejan de funcionar)' }).click();
    await expect.poll(() => link.inputValue()).not.toBe(first);
    const second = await link.inputValue();
    expect((await calendarApp(first)).status).toBe(404);
    expect((await calendarApp(second)).status).toBe(200);

    await page.getByRole('button', { name: 'Desactivar mis enlaces' }).click();
    await page.getByText('Tus enlaces quedaron desactivados.').waitFor();
    expect((await calendarApp(second)).status).toBe(404);
    // Reopened, the page says there is no link, and shows none.
    await page.reload();
    await page.getByText('No tienes enlaces de calendario activos.').waitFor();
    expect(await page.locator('input.feed-url').count()).toBe(0);
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('in English, a teacher from "My sessions": links for the courses she teaches only', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await portalSignIn(page, door.origin, '/asistencia/teacher/', 'ana.docente');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'My classes in my calendar' }).click();
    await page.waitForURL((url) => url.pathname === '/asistencia/calendar/');
    await page.getByRole('heading', { level: 1, name: 'My calendar' }).waitFor();
    await page.getByRole('button', { name: 'Make my links' }).click();
    const link = page.getByLabel('Link for MAT101 Cálculo I');
    await link.waitFor();
    expect(await page.locator('input.feed-url').count()).toBe(1);
    const url = await link.inputValue();
    expect((await calendarApp(url)).status).toBe(200);
    // The same token names no other course: Física II is another teacher’s.
    expect((await calendarApp(url.replace('/MAT101/', '/FIS201/'))).status).toBe(404);
    await page.getByText('Copy each link into your calendar app', { exact: false }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'calendar-teacher-en');
    expect(browser.pageErrors(page)).toEqual([]);
  });
});
