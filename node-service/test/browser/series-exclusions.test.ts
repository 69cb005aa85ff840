import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { axeViolations } from '../support/axe.js';
import { launchBrowser, portalSignIn, screenshot, type BrowserHarness } from '../support/browser.js';

/**
 * A teacher plans a 2027 semester on the teacher page, through Apache and the PHP portal, in Chromium
 * (issue 26): a weekly series across Viernes Santo and a recess says which dates it skipped and why; one
 * class edited "from this class on" moves every later class (and says that a class that ran was kept); a
 * timetable CSV with one bad row is refused whole, the row named, and imported once fixed.
 */
const laptop = { width: 1280, height: 900 };
let door: Door;
let browser: BrowserHarness;

beforeAll(async () => {
  door = await startDoor({ publicAsLocalhost: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

async function teacherPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: laptop });
  await portalSignIn(page, door.origin, '/asistencia/teacher/', 'ana.docente');
  return page;
}

const rows = async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await door.service.db.query<R>(sql, params)).rows;
const localTimes = async () =>
  (
    await rows<{ at: string; room: string; state: string }>(
      `SELECT to_char(planned_start AT TIME ZONE 'America/Santiago', 'YYYY-MM-DD HH24:MI') || '–' || to_char(planned_end AT TIME ZONE 'America/Santiago', 'HH24:MI') AS at, room, state
       FROM attendance.sessions WHERE series_id IS NOT NULL ORDER BY planned_start`,
    )
  ).map((r) => `${r.at} ${r.room} ${r.state}`);

describe('a semester with feriados, a recess, a change from one class on and an imported timetable', () => {
  test('the series skips Viernes Santo and the recess; an edit from one class on; a CSV refused whole, then imported', async () => {
    const teacher = await teacherPage();
    await teacher.getByRole('heading', { level: 1, name: 'Mis sesiones' }).waitFor();

    // Mondays and Fridays, 22 March to 16 April 2027: Friday 26 March is Viernes Santo; 12–16 April a recess.
    await teacher.getByRole('button', { name: 'Nueva serie semanal' }).click();
    const form = teacher.locator('#series-form');
    await form.getByLabel('Sala').fill('Aula 305');
    await form.getByRole('checkbox', { name: 'Lunes' }).check();
    await form.getByRole('checkbox', { name: 'Viernes' }).check();
    await form.getByLabel('Hora de inicio').fill('09:30');
    await form.getByLabel('Hora de término').fill('11:00');
    await form.getByLabel('Primera fecha').fill('2027-03-22');
    await form.getByLabel('Última fecha').fill('2027-04-16');
    await form.getByRole('button', { name: 'Agregar receso' }).click();
    await form.getByLabel('Receso desde').fill('2027-04-12');
    await form.getByLabel('Receso hasta').fill('2027-04-16');
    await form.getByLabel('Nombre del receso').fill('Semana de pruebas');
    await screenshot(teacher, 'series-recess-es');
    expect(await axeViolations(teacher)).toEqual([]);
    await form.getByRole('button', { name: 'Crear serie' }).click();
    await teacher
      .getByText(
        'Serie creada: 5 clases, del lun, 22 mar 2027 al vie, 9 abr 2027. Fechas omitidas: vie, 26 mar 2027 (feriado: Viernes Santo); lun, 12 abr 2027 (receso: Semana de pruebas); vie, 16 abr 2027 (receso: Semana de pruebas).',
      )
      .waitFor();
    expect(await localTimes()).toEqual([
      '2027-03-22 09:30–11:00 Aula 305 scheduled',
      '2027-03-29 09:30–11:00 Aula 305 scheduled',
      '2027-04-02 09:30–11:00 Aula 305 scheduled',
      '2027-04-05 09:30–11:00 Aula 305 scheduled',
      '2027-04-09 09:30–11:00 Aula 305 scheduled',
    ]);

    // The first class ran (opened and closed); the third is edited "from this class on".
    const ids = (await rows<{ id: string }>('SELECT id FROM attendance.sessions WHERE series_id IS NOT NULL ORDER BY planned_start')).map((r) => r.id);
    await door.service.db.query(`UPDATE attendance.sessions SET state = 'closed', opened_at = planned_start, closed_at = planned_end WHERE id = $1`, [ids[0]]);
    await teacher.goto(`${door.origin}/asistencia/teacher/?session=${ids[2]}`);
    await teacher.getByRole('heading', { level: 1, name: 'Cálculo I · Aula 305' }).waitFor();
    await teacher.getByRole('button', { name: 'Editar sesión' }).click();
    const dialog = teacher.getByRole('dialog', { name: 'Editar la sesión' });
    await dialog.getByLabel('Aplicar a').selectOption({ label: 'Esta clase y las siguientes de la serie' });
    await dialog.getByLabel('Sala').fill('Laboratorio 2');
    await dialog.getByLabel('Hora de inicio').fill('10:00');
    await dialog.getByLabel('Hora de término').fill('11:30');
    await screenshot(teacher, 'series-edit-from-here-es');
    expect(await axeViolations(teacher)).toEqual([]);
    await dialog.getByRole('button', { name: 'Guardar cambios' }).click();
    await teacher.getByText('Serie actualizada: 3 clases cambiadas.').waitFor();
    await teacher.getByRole('heading', { level: 1, name: 'Cálculo I · Laboratorio 2' }).waitFor();
    expect(await localTimes()).toEqual([
      '2027-03-22 09:30–11:00 Aula 305 closed',
      '2027-03-29 09:30–11:00 Aula 305 scheduled',
      '2027-04-02 10:00–11:30 Laboratorio 2 scheduled',
      '2027-04-05 10:00–11:30 Laboratorio 2 scheduled',
      '2027-04-09 10:00–11:30 Laboratorio 2 scheduled',
    ]);
    // The whole series from the second class's page: the class that ran is kept, and the teacher is told.
    await teacher.goto(`${door.origin}/asistencia/teacher/?session=${ids[1]}`);
    await teacher.getByRole('button', { name: 'Editar sesión' }).click();
    await dialog.getByLabel('Aplicar a').selectOption({ label: 'Todas las clases de la serie' });
    await dialog.getByLabel('Rondas').fill('2');
    await dialog.getByRole('button', { name: 'Guardar cambios' }).click();
    await teacher.getByText('Serie actualizada: 4 clases cambiadas. Se mantuvieron sin cambios 1 clases que ya se dictaron (abiertas, con asistencia).').waitFor();
    expect(await rows('SELECT rounds_planned FROM attendance.sessions WHERE id = $1', [ids[0]])).toEqual([{ rounds_planned: 1 }]);
    expect(browser.pageErrors(teacher)).toEqual([]);

    // "Eliminar esta y las siguientes" from the fourth class, while the fifth has opened meanwhile: kept, and said.
    await door.service.db.query(`UPDATE attendance.sessions SET state = 'open', opened_at = now() WHERE id = $1`, [ids[4]]);
    await teacher.goto(`${door.origin}/asistencia/teacher/?session=${ids[3]}`);
    teacher.once('dialog', (confirm) => void confirm.accept());
    await teacher.getByRole('button', { name: 'Eliminar esta y las siguientes' }).click();
    await teacher.getByText('Clases eliminadas de la serie: 1. Se mantuvieron sin cambios 1 clases que ya se dictaron (abiertas, con asistencia).').waitFor();
    await teacher.getByRole('heading', { level: 1, name: 'Mis sesiones' }).waitFor();
    expect(await localTimes()).toEqual([
      '2027-03-22 09:30–11:00 Aula 305 closed',
      '2027-03-29 09:30–11:00 Aula 305 scheduled',
      '2027-04-02 10:00–11:30 Laboratorio 2 scheduled',
      '2027-04-09 10:00–11:30 Laboratorio 2 open',
    ]);

    // A timetable with one bad row (31 April does not exist): refused whole, the row named.
    await teacher.goto(`${door.origin}/asistencia/teacher/`);
    await teacher.getByRole('button', { name: 'Importar horario (CSV)' }).click();
    const panel = teacher.locator('#import');
    const before = (await rows<{ n: number }>('SELECT count(*)::int AS n FROM attendance.sessions'))[0]!.n;
    await panel.getByLabel('Horario (pega el CSV aquí)').fill('fecha;inicio;termino;sala\n26-04-2027;08:30;10:00;Aula 101\n31-04-2027;08:30;10:00;Aula 101\n');
    await panel.getByRole('button', { name: 'Importar', exact: true }).click();
    await teacher.getByText('El horario tiene 1 filas con errores; corrígelas y vuelve a importar. No se importó ninguna clase.').waitFor();
    await panel.getByText('Fila 3: la fecha «31-04-2027» no es válida (escribe AAAA-MM-DD o DD-MM-AAAA).').waitFor();
    expect((await rows<{ n: number }>('SELECT count(*)::int AS n FROM attendance.sessions'))[0]!.n).toBe(before);
    await screenshot(teacher, 'import-refused-es');
    expect(await axeViolations(teacher)).toEqual([]);
    // In English, the same row named in English.
    await teacher.getByRole('button', { name: 'English' }).click();
    await panel.getByText('Row 3: the date "31-04-2027" is not valid (write YYYY-MM-DD or DD-MM-YYYY).').waitFor();
    await teacher.getByText('The timetable has 1 rows with errors; fix them and import again. No class was imported.').waitFor();
    expect(await axeViolations(teacher)).toEqual([]);
    await teacher.getByRole('button', { name: 'Español' }).click();

    // Fixed: checked first, then imported.
    await panel.getByLabel('Horario (pega el CSV aquí)').fill('fecha;inicio;termino;sala\n26-04-2027;08:30;10:00;Aula 101\n30-04-2027;08:30;10:00;Aula 101\n');
    await panel.getByRole('button', { name: 'Revisar' }).click();
    await panel.getByText('Clases que se crearán: 2').waitFor();
    await panel.getByRole('button', { name: 'Importar', exact: true }).click();
    await teacher.getByText('Horario importado: 2 clases creadas.').waitFor();
    expect(
      await rows(
        `SELECT to_char(planned_start AT TIME ZONE 'America/Santiago', 'YYYY-MM-DD HH24:MI') AS at, room FROM attendance.sessions WHERE series_id IS NULL ORDER BY planned_start`,
      ),
    ).toEqual([
      { at: '2027-04-26 08:30', room: 'Aula 101' },
      { at: '2027-04-30 08:30', room: 'Aula 101' },
    ]);
    expect(browser.pageErrors(teacher)).toEqual([]);
  });

  test('the admin adds a regional holiday on the admin page and removes it; the list is the database’s', async () => {
    const page = await browser.newPage({ viewport: laptop });
    await portalSignIn(page, door.origin, '/asistencia/admin/', 'carmen.admin');
    const section = page.getByRole('region', { name: 'Feriados' });
    await section.getByText('2027-03-26 · Viernes Santo').waitFor();
    await section.getByLabel('Fecha').fill('2027-06-07');
    await section.getByLabel('Nombre').fill('Asalto y Toma del Morro de Arica');
    await section.getByRole('button', { name: 'Agregar feriado' }).click();
    await page.getByText('Feriado guardado: 2027-06-07, Asalto y Toma del Morro de Arica.').waitFor();
    await section.getByText('2027-06-07 · Asalto y Toma del Morro de Arica').waitFor();
    expect(await rows(`SELECT name, changed_by FROM attendance.holidays WHERE day = '2027-06-07'`)).toEqual([{ name: 'Asalto y Toma del Morro de Arica', changed_by: '5' }]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-holidays-es');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('region', { name: 'Public holidays' }).getByRole('button', { name: 'Remove 2027-06-07' }).click();
    await page.getByText('Holiday removed: 2027-06-07.').waitFor();
    expect(await rows(`SELECT name FROM attendance.holidays WHERE day = '2027-06-07'`)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    expect(browser.pageErrors(page)).toEqual([]);
  });
});
