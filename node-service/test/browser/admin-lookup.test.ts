import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { apiAs } from '../support/api.js';
import { launchBrowser, portalSignIn, screenshot, type BrowserHarness, downloadedBytes } from '../support/browser.js';
import { users } from '../support/tokens.js';
import { enrolledPhone } from '../scan/support.js';

/**
 * An admin at the counter finds a student by the name they are told, through Apache and the PHP portal
 * (the directory of people), in Chromium: "Luis Perez" finds Luis Pérez; "estudiante" lists every
 * match to choose from; a name nobody has says so. The history names people, not roles and ids, and the
 * list of devices to review names their owners.
 */
let door: Door;
let browser: BrowserHarness;
let admin: Page;

beforeAll(async () => {
  door = await startDoor({ env: { ENROLLMENT_SHARED_PHONE: 'flag' } });
  browser = await launchBrowser();
  // Luis enrols; an admin revokes his device, so the history has two people in it.
  await enrolledPhone(door.service, users.student);
  const staff = apiAs(door.service.baseUrl, users.admin);
  const [device] = (await staff.get('/api/admin/devices?studentId=2')).body.devices;
  expect((await staff.post(`/api/admin/devices/${device.id}/revoke`, { reason: 'Teléfono robado' })).status).toBe(200);
  // María's device is blocked for review: it belongs in the list of devices to look at.
  await enrolledPhone(door.service, users.student2);
  await door.service.db.query(`UPDATE enrollment.devices SET state = 'flagged', flagged_reason = 'sign_counter_backwards' WHERE student_id = '3'`);
  // ...and it came with a verified Android key attestation (test/enrollment/attestation.test.ts makes one for real).
  await door.service.db.query(`UPDATE enrollment.devices SET attestation_format = 'android-key', attestation_verified = true WHERE student_id = '3'`);
  // ...and it was seen in two places (test/scan/sharing.test.ts makes this alert for real): the evidence is shown.
  const evidence = { kind: 'two_places', uses: [{ network: '198.51.100.20', at: '2026-03-02T13:00:05Z' }, { network: '203.0.113.77', at: '2026-03-02T13:01:10Z' }], refused: false };
  await door.service.db.query(
    `INSERT INTO enrollment.device_alerts (device_id, reason, details) SELECT id, 'shared_device', $1::jsonb FROM enrollment.devices WHERE student_id = '3'`,
    [JSON.stringify(evidence)],
  );
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

/** Signs Carmen in through the portal; `prepare` runs on the fresh page first (e.g. to route requests). */
async function signInAsAdmin(prepare: (page: Page) => Promise<unknown> = async () => undefined): Promise<Page> {
  // The admin's laptop is in Tokyo: every time on the page is still the institution's (TIME_ZONE).
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Tokyo' });
  await prepare(page);
  await portalSignIn(page, door.origin, '/asistencia/admin/', 'carmen.admin');
  await page.getByRole('heading', { level: 1, name: 'Administración de dispositivos' }).waitFor();
  return page;
}

async function lookUp(text: string): Promise<void> {
  await admin.getByLabel('Nombre, usuario o ID del estudiante').fill(text);
  await admin.getByRole('button', { name: 'Buscar' }).click();
}

describe('the devices to review', () => {
  test('a failed load says so and offers to try again, instead of hiding the list', async () => {
    let refuse = true;
    const page = await signInAsAdmin((fresh) =>
      fresh.route('**/asistencia/api/admin/devices/attention', (route) =>
        refuse
          ? route.fulfill({ status: 503, contentType: 'application/json', headers: { 'retry-after': '2' }, body: JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'El servicio no está disponible por ahora. Intenta de nuevo en unos segundos.' } }) })
          : route.continue(),
      ),
    );
    const review = page.getByRole('region', { name: 'Dispositivos que revisar' });
    await review.getByRole('alert').filter({ hasText: 'No se pudo cargar la lista de dispositivos que revisar.' }).waitFor();
    refuse = false;
    await review.getByRole('button', { name: 'Intentar de nuevo' }).click();
    await review.getByText('Estudiante: María Gómez (maria.estudiante)').waitFor();
    expect(await review.getByRole('alert').count()).toBe(0);
    await page.close();
  });
});

describe('admin lookup by name', () => {
  test('the devices to review name their owner', async () => {
    admin = await signInAsAdmin();
    const review = admin.getByRole('region', { name: 'Dispositivos que revisar' });
    await review.getByText('Estudiante: María Gómez (maria.estudiante)').waitFor();
    await review.getByRole('link', { name: 'Ver a María Gómez' }).waitFor();
    // Why it is blocked, in the reader's language (the service stores a code).
    await review.getByText('En revisión: su contador de firmas retrocedió', { exact: false }).waitFor();
    // Each use's network and time, as Santiago's clock tells it (10:00 and 10:01 on 2 March).
    const shared = review.getByText('Alerta: dispositivo usado desde dos redes a la vez:', { exact: false });
    expect(await shared.textContent()).toMatch(/: red 198\.51\.100\.20, .*2 mar 2026, 10:00; red 203\.0\.113\.77, .*2 mar 2026, 10:01$/);
    // Verified hardware shows, and the page says that a claimed model (AAGUID) counts for nothing without it.
    await review.getByText('Verificado: certificación de hardware android-key comprobada', { exact: false }).waitFor();
    await admin.getByText('el modelo que declara un dispositivo (su AAGUID) es solo lo que dice el navegador', { exact: false }).waitFor();
  });

  test('"Luis Perez", without the accent, opens Luis Pérez; the history names the admin and the student', async () => {
    await lookUp('Luis Perez');
    await admin.getByRole('heading', { level: 2, name: 'Dispositivos de Luis Pérez (luis.estudiante)' }).waitFor();
    expect(new URL(admin.url()).searchParams.get('student')).toBe('2');
    const history = admin.locator('table.admin-history tbody tr');
    await expect.poll(() => history.count()).toBe(2);
    const who = async (n: number) => (await history.nth(n).locator('td').allTextContents())[2];
    expect([await who(0), await who(1)]).toEqual(['Carmen Ruiz (carmen.admin)', 'Luis Pérez (luis.estudiante)']);
    // Luis's passkey came with attestation none: not verified, its claimed model not proven.
    await admin.locator('#devices').getByText('No verificado (certificación: none): el modelo que declara', { exact: false }).waitFor();
    expect(await admin.getByText(/administración 5|estudiante 2/).count()).toBe(0);
    // The revocation's time as Santiago's wall clock shows it, not the laptop's.
    const { rows } = await door.service.db.query<{ at: Date }>(`SELECT occurred_at AS at FROM enrollment.enrollment_history WHERE student_id = '2' AND action = 'revoked'`);
    const clock = (timeZone: string) => rows[0]!.at.toLocaleTimeString('sv-SE', { timeZone, hour: '2-digit', minute: '2-digit' });
    const revokedAt = (await history.nth(0).locator('td').allTextContents())[0]!;
    expect(revokedAt).toContain(clock('America/Santiago'));
    expect(revokedAt).not.toContain(clock('Asia/Tokyo'));
    await screenshot(admin, 'admin-lookup-by-name');
  });

  test('several matches are listed to choose from, and one is opened', async () => {
    await lookUp('ESTUDIANTE');
    const matches = admin.getByRole('region', { name: 'Estudiantes que coinciden con «ESTUDIANTE»' });
    await matches.waitFor();
    expect(await matches.getByRole('link').allTextContents()).toEqual(['José Núñez', 'Luis Pérez', 'María Gómez']);
    await matches.getByText('maria.estudiante · ID 3 · 1 dispositivo(s) en uso').waitFor();
    await screenshot(admin, 'admin-lookup-matches');
    await matches.getByRole('link', { name: 'Ver a María Gómez' }).click();
    await admin.getByRole('heading', { level: 2, name: 'Dispositivos de María Gómez (maria.estudiante)' }).waitFor();
    await admin.locator('#devices .admin-device[data-state="flagged"]').waitFor();
    expect(await matches.isVisible()).toBe(true);
  });

  test('a name nobody has says no student matches, and shows nobody', async () => {
    await lookUp('Pedro Pascal');
    await admin.getByText('Ningún estudiante coincide con «Pedro Pascal». Revisa el nombre o prueba con su usuario del portal.').waitFor();
    expect(await admin.locator('#devices').isVisible()).toBe(false);
    expect(await admin.locator('#matches').isVisible()).toBe(false);
    await screenshot(admin, 'admin-lookup-none');
    await admin.getByRole('button', { name: 'English' }).click();
    await admin.getByText('No student matches “Pedro Pascal”.', { exact: false }).waitFor();
    await admin.getByText('Verified: hardware attestation android-key checked', { exact: false }).waitFor();
    await admin.getByText('the model a device claims (its AAGUID) is only what the browser says', { exact: false }).waitFor();
    expect(browser.pageErrors(admin)).toEqual([]);
  });
});

describe('acting on a student from the admin page', () => {
  test('revoking María’s blocked device takes it off the devices to review at once; her data downloads, audited; erasing her asks a reason', async () => {
    const page = await signInAsAdmin();
    const review = page.getByRole('region', { name: 'Dispositivos que revisar' });
    await review.getByText('Estudiante: María Gómez (maria.estudiante)').waitFor();
    await page.getByLabel('Nombre, usuario o ID del estudiante').fill('maria.estudiante');
    await page.getByRole('button', { name: 'Buscar' }).click();
    const device = page.locator('#devices .admin-device[data-state="flagged"]');
    await device.getByRole('button', { name: 'Revocar' }).click();
    await device.getByLabel('Motivo (obligatorio)').fill('Llave copiada, revisado con ella');
    await device.getByRole('button', { name: 'Revocar definitivamente' }).click();
    await page.locator('#message').getByText('quedó revocado').waitFor();
    // The list follows without a reload.
    await expect.poll(() => review.getByText('Estudiante: María Gómez (maria.estudiante)').count()).toBe(0);

    // Her data, as she would download it, and the read is in her access log.
    const audited = async () =>
      (await door.service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM privacy.audit WHERE action = 'read' AND subject_id = '3'`)).rows[0]!.n;
    const before = await audited();
    const data = page.getByRole('region', { name: 'Datos de María Gómez (maria.estudiante)' });
    const [file] = await Promise.all([page.waitForEvent('download'), data.getByRole('button', { name: 'Descargar sus datos (CSV)' }).click()]);
    expect(file.suggestedFilename()).toBe('mis-datos-3.csv');
    const csv = (await downloadedBytes(file)).toString('utf8');
    expect(csv).toMatch(/^\uFEFFsección;elemento;campo;valor\r\n/);
    expect(csv).toContain('identidad;1;studentId;3\r\n');
    await data.getByText('Descargado: mis-datos-3.csv.').waitFor();
    expect(await audited()).toBe(before + 1);

    // Erasure: a reason, then the explicit button; her devices go, her results stay under an anonymous id.
    await data.getByRole('button', { name: 'Eliminar al estudiante…' }).click();
    await data.getByText('No se puede deshacer.', { exact: false }).waitFor();
    await data.getByLabel('Motivo (obligatorio)').fill('Solicitud de la estudiante, folio 1234');
    await screenshot(page, 'admin-erase-confirm');
    await data.getByRole('button', { name: 'Eliminar definitivamente' }).click();
    const done = page.locator('#message').getByText('María Gómez (maria.estudiante) quedó eliminado:', { exact: false });
    await done.waitFor();
    const { rows } = await door.service.db.query<{ devices: number; erased: number }>(
      `SELECT (SELECT count(*)::int FROM enrollment.devices WHERE student_id = '3') AS devices,
              (SELECT count(*)::int FROM privacy.audit WHERE action = 'erased' AND subject_id LIKE 'erased-%' AND reason = 'Solicitud de la estudiante, folio 1234') AS erased`,
    );
    expect(rows[0]).toEqual({ devices: 0, erased: 1 });
    expect(await done.textContent()).toMatch(/identificador anónimo erased-/);
    expect(browser.pageErrors(page)).toEqual([]);
    await page.close();
  });
});
