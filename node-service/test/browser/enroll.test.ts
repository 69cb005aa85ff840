import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { addVirtualAuthenticator, fillPortalLogin, launchBrowser, screenshot, type BrowserHarness } from '../support/browser.js';
import type { RunningService } from '../support/service.js';

/**
 * A student signed in on the real PHP portal enrols a passkey from the phone-sized page, with Chromium's
 * virtual authenticator (resident keys and user verification on), through Apache: the door in front of
 * node-service as in a deployment. WebAuthn needs a real host name as RP id, so the browser reaches the door
 * as localhost (startDoor({ publicAsLocalhost: true })).
 */
let door: Door;
let service: RunningService;
let browser: BrowserHarness;
let origin: string;

beforeAll(async () => {
  door = await startDoor({ publicAsLocalhost: true });
  ({ service, origin } = door);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

const usernames: Readonly<Record<string, string>> = { 'Luis Pérez': 'luis.estudiante', 'María Gómez': 'maria.estudiante', 'José Núñez': 'jose.estudiante' };

async function signInAndOpenEnrollment(page: Page, studentName: string): Promise<void> {
  await page.goto(`${origin}/asistencia/enroll/`);
  await fillPortalLogin(page, usernames[studentName]!);
  await page.waitForURL(`${origin}/asistencia/enroll/`);
  await page.getByRole('heading', { level: 1, name: 'Registrar mi llave de acceso' }).waitFor();
  await page.getByText(`Registrando para ${studentName}.`).waitFor();
}

async function storedFor(studentId: string) {
  const devices = await service.db.query<{ credential_id: string; state: string; friendly_name: string }>(
    'SELECT credential_id, state, friendly_name FROM enrollment.devices WHERE student_id = $1 ORDER BY id',
    [studentId],
  );
  const history = await service.db.query<{ action: string }>(
    'SELECT action FROM enrollment.enrollment_history WHERE student_id = $1 ORDER BY id',
    [studentId],
  );
  return { devices: devices.rows, history: history.rows.map((row) => row.action) };
}

describe('enrolment page', () => {
  test('a student enrols a passkey with one button, sees it listed, renames and revokes it', async () => {
    // The phone is set to another zone: the page still tells dates in the institution's (TIME_ZONE).
    const page = await browser.newPage({ timezoneId: 'Asia/Tokyo' });
    const authenticator = await addVirtualAuthenticator(page, { isUserVerified: true, hasResidentKey: true });
    await signInAndOpenEnrollment(page, 'Luis Pérez');
    await page.getByText('Una llave de acceso es una credencial que se guarda en tu teléfono').waitFor();
    await page.getByText('Aún no tienes ningún dispositivo registrado.').waitFor();
    await screenshot(page, 'enroll-es-before');

    await page.getByRole('button', { name: 'Registrar mi llave de acceso' }).click();
    await page.getByText('Listo: tu llave de acceso quedó registrada como «Llave de acceso (Linux)».', { exact: false }).waitFor();
    const item = page.locator('.device[data-state="active"]');
    await item.getByRole('heading', { name: 'Llave de acceso (Linux)' }).waitFor();
    await item.getByText('Activo', { exact: true }).waitFor();
    const { rows } = await service.db.query<{ at: Date }>(`SELECT created_at AS at FROM enrollment.devices WHERE student_id = '2'`);
    const santiago = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('es-CL', { ...options, timeZone: 'America/Santiago' }).format(rows[0]!.at);
    const enrolledAt = `${santiago({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })}, ${santiago({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })}`;
    await item.getByText(`Registrado el ${enrolledAt}`, { exact: false }).waitFor();
    await page.getByText('Ya tienes 1 de 1 dispositivos permitidos.', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Registrar mi llave de acceso' }).isDisabled()).toBe(true);
    await screenshot(page, 'enroll-es-enrolled');

    const [credential] = await authenticator.credentials();
    expect(credential?.isResidentCredential).toBe(true);
    expect(Buffer.from(credential!.userHandle!, 'base64').toString('utf8')).toBe('2');
    const stored = await storedFor('2');
    expect(stored.devices).toEqual([
      { credential_id: Buffer.from(credential!.credentialId, 'base64').toString('base64url'), state: 'active', friendly_name: 'Llave de acceso (Linux)' },
    ]);
    expect(stored.history).toEqual(['enrolled']);

    await item.getByRole('button', { name: 'Cambiar nombre' }).click();
    await item.getByLabel('Nuevo nombre').fill('Mi teléfono');
    await item.getByRole('button', { name: 'Guardar' }).click();
    await page.getByText('Nombre cambiado a «Mi teléfono».').waitFor();
    await page.locator('.device').getByRole('heading', { name: 'Mi teléfono' }).waitFor();
    // Chromium's passkey came with attestation none: nothing says "Verificado". A device whose hardware
    // attestation was verified (test/enrollment/attestation.test.ts makes one for real) says so.
    expect(await page.getByText(/^Verificado:/).count()).toBe(0);
    await service.db.query(`UPDATE enrollment.devices SET attestation_format = 'packed', attestation_verified = true WHERE student_id = '2'`);
    await page.reload();
    await page.locator('.device').getByText('Verificado: su certificación de hardware (packed) se comprobó al registrarlo').waitFor();

    await page.locator('.device').getByRole('button', { name: 'Revocar' }).click();
    await page.getByLabel('Motivo (por ejemplo: perdí el teléfono)').fill('Cambio de teléfono');
    // Revoking asks for the device's passkey (the virtual authenticator answers it), not only the sign-in.
    await page.getByText('Para revocarlo te pediremos la llave de acceso de ese teléfono', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Revocar definitivamente' }).click();
    await page.getByText('El dispositivo «Mi teléfono» quedó revocado').waitFor();
    await page.locator('.device[data-state="revoked"]').getByText('Revocado el', { exact: false }).waitFor();
    // Every change is listed for the student, newest first, saying it came from their account.
    const changes = page.getByRole('region', { name: 'Cambios en mis dispositivos' });
    expect(await changes.locator('.change__what').allTextContents()).toEqual([
      'Se revocó el dispositivo «Mi teléfono» (desde tu cuenta): Cambio de teléfono',
      'Se registró el dispositivo «Mi teléfono» (desde tu cuenta).',
    ]);
    // The wait says what it is and whom to ask: the teacher for today, an administrator for a reset.
    const wait = page.getByText('Por seguridad hay una espera entre un registro y otro', { exact: false });
    await wait.waitFor();
    expect(await wait.textContent()).toMatch(/a partir del .+\. Para la clase de hoy, pide a tu docente que registre tu asistencia\. Si perdiste el teléfono y no puedes esperar, pide a administración que restablezca tu registro\.$/);
    expect(await page.getByRole('button', { name: 'Registrar mi llave de acceso' }).isDisabled()).toBe(true);
    await screenshot(page, 'enroll-es-revoked');
    expect((await storedFor('2')).history).toEqual(['enrolled', 'renamed', 'revoked']);
    expect(browser.pageErrors(page)).toEqual([]);
  });

  test('without user verification, the page says why it failed and nothing is stored', async () => {
    const page = await browser.newPage();
    const authenticator = await addVirtualAuthenticator(page, { isUserVerified: false, hasResidentKey: true });
    await signInAndOpenEnrollment(page, 'María Gómez');

    await page.getByRole('button', { name: 'Registrar mi llave de acceso' }).click();
    const failure = page.locator('#message[data-kind="error"]');
    await failure.waitFor();
    expect(await failure.textContent()).toBe(
      'Se canceló el registro o el teléfono no pudo verificarte (huella, cara o PIN). Comprueba que el bloqueo de pantalla está activado y vuelve a intentarlo.',
    );
    await page.getByText('Aún no tienes ningún dispositivo registrado.').waitFor();
    expect(await page.getByRole('button', { name: 'Registrar mi llave de acceso' }).isEnabled()).toBe(true);
    await screenshot(page, 'enroll-es-uv-failed');

    expect(await storedFor('3')).toEqual({ devices: [], history: [] });
    expect(await authenticator.credentials()).toEqual([]);
  });

  test('speaks English when asked, including the reason for a failure', async () => {
    const page = await browser.newPage({ locale: 'en-GB' });
    await addVirtualAuthenticator(page, { isUserVerified: false });
    await signInAndOpenEnrollment(page, 'José Núñez');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Enrol my passkey' }).waitFor();
    await page.getByText('A passkey is a credential kept on your phone').waitFor();

    await page.getByRole('button', { name: 'Enrol my passkey' }).click();
    await page.getByText('The enrolment was cancelled or your phone could not verify you', { exact: false }).waitFor();
    await page.getByText('You have no enrolled devices yet.').waitFor();
    await screenshot(page, 'enroll-en-uv-failed');
    expect((await storedFor('4')).devices).toEqual([]);
  });
});
