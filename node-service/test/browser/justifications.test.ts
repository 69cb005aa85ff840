import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { apiAs, draftSession } from '../support/api.js';
import { axeViolations } from '../support/axe.js';
import { launchBrowser, portalSignIn, screenshot, type BrowserHarness } from '../support/browser.js';
import { users } from '../support/tokens.js';

/**
 * Justifications (issue 26) through Apache and the PHP portal, in Chromium: María, on her phone (390 px),
 * asks to justify the class she missed with a photo of a certificate (a PNG of 100 KB: larger than the
 * door's 64 KiB body limit, which the justification route alone exceeds); Ana, on her laptop, sees the
 * request on the course page, approves it with a note; María then sees "Justificado", who approved it and
 * when, and her standing improved.
 *
 * Cálculo I: classes held 3, 2 and 1 days ago (María missed the one 2 days ago) and two to come: five
 * planned at 75 % allow one absence, which María has spent. Justified, it no longer counts: four planned
 * that count, one absence affordable.
 */
const laptop = { width: 1280, height: 900 };
const day = 24 * 60 * 60_000;
let door: Door;
let browser: BrowserHarness;
let missed: string;

async function session(daysAgo: number): Promise<string> {
  const start = new Date(Date.now() - daysAgo * day);
  const created = await apiAs(door.service.baseUrl, users.teacher).post(
    '/api/sessions',
    draftSession({ plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString() }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

async function heldSession(daysAgo: number, present: string[]): Promise<string> {
  const teacher = apiAs(door.service.baseUrl, users.teacher);
  const id = await session(daysAgo);
  expect((await teacher.post(`/api/sessions/${id}/open`)).status).toBe(200);
  expect((await teacher.post(`/api/sessions/${id}/close`)).status).toBe(200);
  expect((await teacher.post(`/api/sessions/${id}/corrections`, { studentIds: present, status: 'manual_present', reason: 'Lista en papel' })).status).toBe(200);
  return id;
}

/** A PNG by its first bytes, `size` bytes long. */
function png(size: number): Buffer {
  const bytes = Buffer.alloc(size, 1);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

beforeAll(async () => {
  door = await startDoor();
  browser = await launchBrowser();
  await heldSession(3, ['2', '3', '4']);
  missed = await heldSession(2, ['2', '4']);
  await heldSession(1, ['2', '3', '4']);
  await session(-7);
  await session(-14);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

const widthOf = async (page: Page) => (await page.evaluate('document.documentElement.scrollWidth')) as number;

describe('justifications', () => {
  test('María asks with a PNG from her phone, Ana approves on the course page, María sees Justificado and a better standing', async () => {
    const phone = await browser.newPage(); // 390×844
    await portalSignIn(phone, door.origin, '/asistencia/student/', 'maria.estudiante');
    const course = phone.getByRole('region', { name: 'Cálculo I' });
    await course.getByText('No puedes faltar a ninguna clase más sin quedar bajo el mínimo.').waitFor();
    const item = course.locator(`li[data-session="${missed}"]`);
    await item.getByRole('button', { name: 'Justificar esta ausencia' }).click();
    await item.getByLabel('Motivo').fill('Control médico, adjunto el certificado');
    expect(await axeViolations(phone)).toEqual([]);
    await item.getByLabel('Documento (opcional: PDF, JPG o PNG)').setInputFiles({ name: 'certificado.png', mimeType: 'image/png', buffer: png(100_000) });
    await item.getByRole('button', { name: 'Enviar solicitud' }).click();
    await phone.getByText('Solicitud enviada. Tu docente la revisará; verás su respuesta aquí.').waitFor();
    await course.locator(`li[data-session="${missed}"]`).getByText(/^Pediste justificarla el .*: esperando a tu docente\.$/).waitFor();
    expect(await course.locator(`li[data-session="${missed}"]`).getByRole('button', { name: 'Justificar esta ausencia' }).count()).toBe(0);
    expect(await widthOf(phone)).toBeLessThanOrEqual(390);
    await screenshot(phone, 'justification-asked-es');
    const [stored] = (await door.service.db.query<{ bytes: number; type: string }>('SELECT octet_length(attachment) AS bytes, attachment_type AS type FROM attendance.justifications')).rows;
    expect(stored).toEqual({ bytes: 100_000, type: 'image/png' });

    const teacher = await browser.newPage({ viewport: laptop });
    await portalSignIn(teacher, door.origin, '/asistencia/teacher/', 'ana.docente');
    await teacher.getByRole('link', { name: 'Cálculo I · Asistencia del curso, estudiantes y justificaciones' }).click();
    // Every student's standing, María's among those at risk; the course's exports on the same page.
    const standings = teacher.getByRole('region', { name: 'Situación de cada estudiante (1 en riesgo)' });
    await standings.waitFor();
    expect(await standings.locator('tbody th').allTextContents()).toEqual(['María Gómez', 'José Núñez', 'Luis Pérez']); // by surname
    expect(await standings.locator('tr[data-at-risk="true"] th').allTextContents()).toEqual(['María Gómez']);
    await teacher.getByRole('region', { name: 'Exportar el curso' }).getByRole('button', { name: 'Descargar Excel' }).waitFor();
    const requests = teacher.getByRole('region', { name: 'Justificaciones (1 por decidir)' });
    const row = requests.locator('tr[data-student="3"]');
    await row.getByText('Control médico, adjunto el certificado').waitFor();
    const [document] = await Promise.all([teacher.waitForEvent('download'), row.getByRole('button', { name: 'Ver documento de María Gómez (certificado.png)' }).click()]);
    expect(document.suggestedFilename()).toBe('certificado.png');
    expect(await axeViolations(teacher)).toEqual([]);
    await row.getByLabel('Nota para María Gómez').fill('Certificado recibido');
    await row.getByRole('button', { name: 'Aprobar la justificación de María Gómez' }).click();
    await teacher.getByText('Justificación de María Gómez aprobada: la clase queda como Justificado.').waitFor();
    await teacher.getByRole('region', { name: 'Justificaciones (0 por decidir)' }).getByText(/^Aprobada por Ana Martínez el /).waitFor();
    await teacher.getByRole('region', { name: 'Situación de cada estudiante (0 en riesgo)' }).waitFor();
    await screenshot(teacher, 'justification-approved-es');

    await phone.reload();
    const decided = phone.getByRole('region', { name: 'Cálculo I' }).locator(`li[data-session="${missed}"]`);
    await decided.getByText(/^Justificación aprobada por Ana Martínez el /).waitFor();
    expect(await decided.locator('.result-badge').allTextContents()).toEqual(['Justificado']);
    await decided.getByText('Nota: «Certificado recibido»').waitFor();
    await phone.getByRole('region', { name: 'Cálculo I' }).getByText('Puedes faltar a 1 clase más sin quedar bajo el mínimo.').waitFor();
    expect(await widthOf(phone)).toBeLessThanOrEqual(390);
    await screenshot(phone, 'justification-approved-student-es');

    // In English too, and still clean for axe in both languages.
    await teacher.getByRole('button', { name: 'English' }).click();
    await teacher.getByRole('region', { name: 'Justifications (0 to decide)' }).getByText(/^Approved by Ana Martínez on /).waitFor();
    expect(await axeViolations(teacher)).toEqual([]);
    expect(await axeViolations(phone)).toEqual([]);
    await phone.getByRole('button', { name: 'English' }).click();
    await phone.getByRole('region', { name: 'Cálculo I' }).getByText(/^Justification approved by Ana Martínez on /).waitFor();
    await phone.getByRole('region', { name: 'Cálculo I' }).getByText('You can miss 1 more class without falling below the minimum.').waitFor();
    expect(await axeViolations(phone)).toEqual([]);
    expect(browser.pageErrors(phone)).toEqual([]);
    expect(browser.pageErrors(teacher)).toEqual([]);
  });
});
