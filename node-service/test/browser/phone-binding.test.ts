import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { apiAs, draftSession } from '../support/api.js';
import { addVirtualAuthenticator, type BrowserHarness, clearSiteData, launchBrowser, portalSignIn, readProjectorQr, screenshot, type VirtualAuthenticator } from '../support/browser.js';
import { users } from '../support/tokens.js';

/**
 * The phone binding in Chromium, through Apache and the PHP portal: real WebCrypto phone keys in IndexedDB
 * and real passkey ceremonies with the virtual authenticator. One browser profile is one phone.
 *
 * - Luis enrols and scans: confirmed.
 * - His passkey copied into a second profile (the same private key, through WebAuthn.addCredential) is
 *   refused at scan: that phone holds no phone key bound to him.
 * - He clears the site's data, is led from the scan page to "link this phone", links it with his passkey
 *   and scans again.
 * - María, signing in on the same profile, cannot enrol there (ENROLLMENT_SHARED_PHONE=refuse); with
 *   ENROLLMENT_SHARED_PHONE=flag she can, and both devices carry an alert for admins.
 */
let door: Door;
let browser: BrowserHarness;
let origin: string;
let sessionId: string;

beforeAll(async () => {
  // Codes of 30 s (and 30 s of grace), as the scan dead ends use: the subject is the binding, and a 3 s code
  // expired between the projector's screenshot and the scan page's request on a slow, busy machine.
  door = await startDoor({ publicAsLocalhost: true });
  origin = door.origin;
  browser = await launchBrowser();
  const teacher = apiAs(door.service.baseUrl, users.teacher);
  sessionId = (await teacher.post('/api/sessions', draftSession({ rotationPeriodMs: 30_000, graceMs: 30_000, rosterPolicy: 'flag' }))).body.id;
  await teacher.post(`/api/sessions/${sessionId}/open`);
  await teacher.post(`/api/sessions/${sessionId}/rounds`);
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

/** The projector, as a teacher's laptop shows it, and the scan URL read from its QR code. */
let projector: Page | undefined;
async function liveCodeUrl(): Promise<string> {
  if (!projector) {
    projector = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await portalSignIn(projector, origin, '/asistencia/teacher/', 'ana.docente');
    await projector.goto(`${origin}/asistencia/projector/?session=${sessionId}`);
  }
  return readProjectorQr(projector, 'binding-projector');
}

async function validations(studentId: string): Promise<number> {
  const { rows } = await door.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance.validations WHERE session_id = $1 AND student_id = $2', [sessionId, studentId]);
  return rows[0]!.n;
}

describe('one phone, one student', () => {
  let phone: Page;
  let passkey: VirtualAuthenticator;

  test('Luis enrols on his phone and scans: confirmed', async () => {
    phone = await browser.newPage();
    passkey = await addVirtualAuthenticator(phone);
    await portalSignIn(phone, origin, '/asistencia/enroll/', 'luis.estudiante');
    await phone.getByText('Registra tu llave en el navegador que se abre cuando la cámara', { exact: false }).waitFor();
    await phone.getByRole('button', { name: 'Registrar mi llave de acceso' }).click();
    await phone.getByText('Listo: tu llave de acceso quedó registrada', { exact: false }).waitFor();
    await phone.getByText(/Vinculado a un teléfono desde el/).waitFor();
    await phone.goto(await liveCodeUrl());
    await phone.getByRole('heading', { name: 'Asistencia registrada' }).waitFor();
    expect(await validations('2')).toBe(1);
    expect(browser.pageErrors(phone)).toEqual([]);
  });

  test('a copy of his passkey in another browser profile is refused at scan', async () => {
    const [credential] = await passkey.credentials();
    const other = await browser.newPage();
    const copy = await addVirtualAuthenticator(other);
    await copy.addCopy(credential!);
    expect((await copy.credentials()).map((c) => c.credentialId)).toEqual([credential!.credentialId]);
    await other.goto(await liveCodeUrl());
    await other.getByRole('heading', { name: 'Este teléfono no tiene tu llave' }).waitFor();
    // The dead end still ends in class: the page says whom to ask.
    await other.getByText('pide hoy a tu docente que te marque presente', { exact: false }).waitFor();
    await screenshot(other, 'binding-copied-passkey-refused');
    expect(await validations('2')).toBe(1);
  });

  test('after clearing the site data, the scan page leads him to link this phone again, and he scans', async () => {
    await clearSiteData(phone);
    await phone.goto(await liveCodeUrl());
    await phone.getByRole('heading', { name: 'Este teléfono no tiene tu llave' }).waitFor();
    await phone.getByRole('link', { name: 'Registrarla ahora' }).click();
    await phone.waitForURL(`${origin}/asistencia/enroll/?next=scan`);
    const link = phone.getByRole('button', { name: 'Vincular este teléfono' });
    await link.waitFor();
    await screenshot(phone, 'binding-rebind-offered');
    await link.click();
    await phone.getByText('Listo: este teléfono quedó vinculado a tu llave', { exact: false }).waitFor();
    await phone.getByRole('link', { name: 'Volver a marcar mi asistencia' }).waitFor();
    await phone.goto(await liveCodeUrl());
    await phone.getByRole('heading', { name: 'Ya estaba registrada en esta ronda' }).waitFor();
    const { rows } = await door.service.db.query(`SELECT action FROM enrollment.enrollment_history WHERE student_id = '2' ORDER BY id`);
    expect(rows.map((r) => r.action)).toEqual(['enrolled', 'rebound']);
    expect(browser.pageErrors(phone)).toEqual([]);
  });

  test('María, signed in on the same phone, cannot enrol there', async () => {
    await phone.context().clearCookies(); // Luis signs out of the portal
    await portalSignIn(phone, origin, '/asistencia/enroll/', 'maria.estudiante');
    await phone.getByRole('button', { name: 'Registrar mi llave de acceso' }).click();
    await phone.getByText('Este teléfono ya está registrado para otro estudiante', { exact: false }).waitFor();
    await screenshot(phone, 'binding-second-student-refused');
    const { rows } = await door.service.db.query(`SELECT count(*)::int AS n FROM enrollment.devices WHERE student_id = '3'`);
    expect(rows).toEqual([{ n: 0 }]);
  });
});

describe('ENROLLMENT_SHARED_PHONE=flag', () => {
  let flagDoor: Door;
  beforeAll(async () => {
    flagDoor = await startDoor({ publicAsLocalhost: true, env: { ENROLLMENT_SHARED_PHONE: 'flag' } });
  });
  afterAll(() => flagDoor?.stop());

  test('a second student on the same phone is enrolled, and both devices carry an alert for admins', async () => {
    const at = flagDoor.origin;
    const phone = await browser.newPage();
    await addVirtualAuthenticator(phone);
    for (const username of ['luis.estudiante', 'maria.estudiante']) {
      await phone.context().clearCookies();
      await phone.goto(`${at}/asistencia/enroll/`);
      await phone.waitForURL((url) => url.pathname === '/login.php');
      await phone.getByLabel('Usuario').fill(username);
      await phone.getByLabel('Contraseña').fill('demo1234');
      await phone.getByRole('button', { name: 'Entrar' }).click();
      await phone.getByRole('button', { name: 'Registrar mi llave de acceso' }).click();
      await phone.getByText('Listo: tu llave de acceso quedó registrada', { exact: false }).waitFor();
    }
    const { rows } = await flagDoor.service.db.query(
      `SELECT d.student_id, a.reason FROM enrollment.device_alerts a JOIN enrollment.devices d ON d.id = a.device_id ORDER BY d.student_id`,
    );
    expect(rows).toEqual([{ student_id: '2', reason: 'shared_phone' }, { student_id: '3', reason: 'shared_phone' }]);
  });
});
