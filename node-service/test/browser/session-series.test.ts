import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiAs } from '../support/api.js';
import { launchBrowser, screenshot, type BrowserHarness } from '../support/browser.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * A teacher plans the semester on the teacher page in Chromium, signed in with a portal token: a weekly
 * series across the end of Chile's summer time (24:00 on 4 April 2026) keeps its classes at 09:30 in
 * Santiago, whatever the laptop's own zone; one class is edited on its own, another (never opened) is
 * deleted; the list pages and filters; the service's refusals show in the page's language.
 */
const laptop = { width: 1280, height: 900 };
let service: RunningService;
let browser: BrowserHarness;

beforeAll(async () => {
  service = await startService({ env: { SESSION_LIST_PAGE_SIZE: '5', SESSION_SERIES_MAX_OCCURRENCES: '40' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

/** The teacher page as the portal's signed-in teacher, on a laptop set to Madrid time (not the institution's). */
async function teacherPage(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: laptop, timezoneId: 'Europe/Madrid' });
  await page.context().route('**/token.php', async (route) =>
    route.fulfill({ json: { token: await portalToken(users.teacher), expiresAt: Math.floor(Date.now() / 1000) + 300 } }),
  );
  await page.goto(`${service.baseUrl}${path}`);
  return page;
}

const rows = async (sql: string, params: unknown[]) => (await service.db.query(sql, params)).rows;
const items = (page: Page) => page.locator('#sessions li.session-item');

describe('planning the semester', () => {
  test('a weekly series created and one occurrence edited; an unopened one deleted', async () => {
    const teacher = await teacherPage('/asistencia/teacher/');
    await teacher.getByRole('heading', { level: 1, name: 'Mis sesiones' }).waitFor();
    await teacher.getByText('Todavía no has creado ninguna sesión.').waitFor();

    await teacher.getByRole('button', { name: 'Nueva serie semanal' }).click();
    const form = teacher.locator('#series-form');
    // Nothing chosen yet: the page says what is missing where it is missing.
    await form.getByLabel('Sala').fill('');
    await form.getByRole('button', { name: 'Crear serie' }).click();
    await form.getByText('Indica la sala.').waitFor();
    await form.getByText('Elige al menos un día.').waitFor();

    await form.getByLabel('Sala').fill('Aula 305');
    await form.getByRole('checkbox', { name: 'Lunes' }).check();
    await form.getByRole('checkbox', { name: 'Miércoles' }).check();
    await form.getByLabel('Hora de inicio').fill('09:30');
    await form.getByLabel('Hora de término').fill('11:00');
    await form.getByLabel('Primera fecha').fill('2026-03-23');
    // Too far: the count says so before anything is sent.
    await form.getByLabel('Última fecha').fill('2026-12-31');
    await form.getByText('Se crearán 82 clases (máximo 40).').waitFor();
    await form.getByRole('button', { name: 'Crear serie' }).click();
    await form.getByText('Serían 82 clases y el máximo es 40. Elige una última fecha más cercana o menos días.').waitFor();
    expect(await rows('SELECT count(*)::int AS n FROM attendance.sessions', [])).toEqual([{ n: 0 }]);
    await form.getByLabel('Última fecha').fill('2026-04-13');
    await form.getByText('Se crearán 7 clases (máximo 40).').waitFor();
    await form.getByLabel('Rondas').fill('2');
    // The campus networks and the typed code apply to every class of the series; a host is named as such.
    await form.getByText('Opciones avanzadas').click();
    await form.getByLabel('Redes del campus').fill('10.20.0.1/16');
    await form.getByRole('button', { name: 'Crear serie' }).click();
    await form.getByText('Estas líneas nombran un equipo, no una red; escribe la red: 10.20.0.1/16 → 10.20.0.0/16').waitFor();
    await form.getByLabel('Redes del campus').fill('10.20.0.0/16');
    await form.getByLabel(/código numérico/).check();
    await screenshot(teacher, 'series-form-es');
    await form.getByRole('button', { name: 'Crear serie' }).click();

    await teacher.getByText('Serie creada: 7 clases, del lun, 23 mar 2026 al lun, 13 abr 2026.').waitFor();
    expect(await teacher.locator('#series').isHidden()).toBe(true);
    // Five a page (SESSION_LIST_PAGE_SIZE), newest first; the rest on demand.
    await expect.poll(() => items(teacher).count()).toBe(5);
    await teacher.getByText('Sesiones mostradas: 5').waitFor();
    await teacher.getByRole('button', { name: 'Cargar más sesiones' }).click();
    await expect.poll(() => items(teacher).count()).toBe(7);
    expect(await teacher.getByRole('button', { name: 'Cargar más sesiones' }).isHidden()).toBe(true);
    // Every class at 09:30–11:00 in Santiago, before and after the change of time, on a Madrid laptop.
    const whens = await items(teacher).locator('.session-item__when').allTextContents();
    expect(whens).toEqual([
      'lun, 13 abr 2026, 09:30–11:00',
      'mié, 8 abr 2026, 09:30–11:00',
      'lun, 6 abr 2026, 09:30–11:00',
      'mié, 1 abr 2026, 09:30–11:00',
      'lun, 30 mar 2026, 09:30–11:00',
      'mié, 25 mar 2026, 09:30–11:00',
      'lun, 23 mar 2026, 09:30–11:00',
    ]);
    expect(await items(teacher).getByText('Serie semanal').count()).toBe(7);
    expect(await rows('SELECT DISTINCT allowed_networks::text[] AS networks, fallback_code_enabled, rounds_planned FROM attendance.sessions', [])).toEqual([
      { networks: ['10.20.0.0/16'], fallback_code_enabled: true, rounds_planned: 2 },
    ]);
    await screenshot(teacher, 'series-list-es');

    // Filtered by dates (in Santiago, both included), oldest first.
    await teacher.getByLabel('Desde').fill('2026-04-01');
    await teacher.getByLabel('Hasta').fill('2026-04-08');
    await teacher.getByLabel('Orden').selectOption({ label: 'Más antiguas primero' });
    await expect.poll(() => items(teacher).locator('.session-item__when').allTextContents()).toEqual([
      'mié, 1 abr 2026, 09:30–11:00',
      'lun, 6 abr 2026, 09:30–11:00',
      'mié, 8 abr 2026, 09:30–11:00',
    ]);
    // An inverted range is said, not sent.
    await teacher.getByLabel('Desde').fill('2026-04-10');
    await teacher.getByText('La fecha «hasta» no puede ser anterior a la fecha «desde».').waitFor();
    await teacher.getByRole('button', { name: 'Quitar filtros' }).click();
    await expect.poll(() => items(teacher).count()).toBe(5);

    // One class edited on its own: Monday 6 April, after the change of time.
    const [sixth, eighth] = await rows(
      `SELECT id FROM attendance.sessions WHERE planned_start IN ('2026-04-06T13:30:00Z', '2026-04-08T13:30:00Z') ORDER BY planned_start`,
      [],
    );
    await teacher.goto(`${service.baseUrl}/asistencia/teacher/?session=${sixth!.id}`);
    await teacher.getByRole('heading', { level: 1, name: 'Cálculo I · Aula 305' }).waitFor();
    await teacher.getByRole('button', { name: 'Editar sesión' }).click();
    const dialog = teacher.getByRole('dialog', { name: 'Editar la sesión' });
    expect(await dialog.getByLabel('Hora de inicio').inputValue()).toBe('09:30');
    expect(await dialog.getByLabel('Fecha').inputValue()).toBe('2026-04-06');
    await dialog.getByLabel('Hora de término').fill('09:00');
    await dialog.getByRole('button', { name: 'Guardar cambios' }).click();
    await dialog.getByText('La hora de término debe ser posterior a la de inicio.').waitFor();
    await dialog.getByLabel('Sala').fill('Laboratorio 2');
    await dialog.getByLabel('Hora de inicio').fill('10:00');
    await dialog.getByLabel('Hora de término').fill('11:30');
    await dialog.getByLabel('Rondas').fill('3');
    await screenshot(teacher, 'series-edit-es');
    await dialog.getByRole('button', { name: 'Guardar cambios' }).click();
    await teacher.getByText('Sesión actualizada.').waitFor();
    await teacher.getByRole('heading', { level: 1, name: 'Cálculo I · Laboratorio 2' }).waitFor();
    await teacher.getByText('lun, 6 abr 2026, 10:00–11:30 · Rondas: 0 de 3').waitFor();
    expect(await rows('SELECT room, planned_start, planned_end, rounds_planned FROM attendance.sessions WHERE id = $1', [sixth!.id])).toEqual([
      { room: 'Laboratorio 2', planned_start: new Date('2026-04-06T14:00:00Z'), planned_end: new Date('2026-04-06T15:30:00Z'), rounds_planned: 3 },
    ]);
    // The rest of the series is as it was, and the change is audited.
    expect(await rows(`SELECT DISTINCT room FROM attendance.sessions WHERE id <> $1`, [sixth!.id])).toEqual([{ room: 'Aula 305' }]);
    expect(await rows('SELECT action, actor_id FROM attendance.session_changes WHERE session_id = $1', [sixth!.id])).toEqual([{ action: 'edited', actor_id: '1' }]);

    // Another class, never opened, deleted (after the teacher confirms).
    await teacher.goto(`${service.baseUrl}/asistencia/teacher/?session=${eighth!.id}`);
    await teacher.getByRole('heading', { level: 1, name: 'Cálculo I · Aula 305' }).waitFor();
    teacher.once('dialog', (confirm) => void confirm.accept());
    await teacher.getByRole('button', { name: 'Eliminar sesión' }).click();
    await teacher.getByText('Sesión eliminada.').waitFor();
    await teacher.getByRole('heading', { level: 1, name: 'Mis sesiones' }).waitFor();
    expect(await rows('SELECT count(*)::int AS n FROM attendance.sessions WHERE id = $1', [eighth!.id])).toEqual([{ n: 0 }]);
    expect(await rows('SELECT count(*)::int AS n FROM attendance.sessions', [])).toEqual([{ n: 6 }]);
    expect(browser.pageErrors(teacher)).toEqual([]);
  });

  test('once opened, a session is neither edited nor deleted: the refusal shows in the page’s language', async () => {
    const api = apiAs(service.baseUrl, users.teacher);
    const { sessions } = (await api.get('/api/sessions?order=asc&limit=1')).body;
    const id = sessions[0].id as string;
    const teacher = await teacherPage(`/asistencia/teacher/?session=${id}`);
    await teacher.getByRole('button', { name: 'Eliminar sesión' }).waitFor();
    // Opened meanwhile elsewhere (another tab, a colleague admin); this page still offers the buttons.
    expect((await api.post(`/api/sessions/${id}/open`)).status).toBe(200);
    await teacher.getByRole('button', { name: 'English' }).click();
    teacher.once('dialog', (confirm) => void confirm.accept());
    await teacher.getByRole('button', { name: 'Delete session' }).click();
    await teacher.getByText('This session has already been opened and holds attendance: it cannot be deleted. If there was no class, close it.').waitFor();
    // The page catches up: open, and no more edit or delete.
    await teacher.getByText('Open', { exact: true }).waitFor();
    expect(await teacher.getByRole('button', { name: 'Edit session' }).count()).toBe(0);
    expect(await teacher.getByRole('button', { name: 'Delete session' }).count()).toBe(0);
    expect(await rows('SELECT state FROM attendance.sessions WHERE id = $1', [id])).toEqual([{ state: 'open' }]);
    await screenshot(teacher, 'series-delete-refused-en');
    expect(browser.pageErrors(teacher)).toEqual([]);
  });
});
