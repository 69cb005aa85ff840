import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { addVirtualAuthenticator, type BrowserHarness, fillPortalLogin, launchBrowser, screenshot, type VirtualAuthenticator } from '../support/browser.js';
import { users } from '../support/tokens.js';
import { enrollment } from '../enrollment/support.js';
import { enrolledPhone, liveSession } from '../scan/support.js';

/**
 * A student whose phone holds no key of theirs is not left pressing a button forever, through Apache and
 * the PHP portal in Chromium (one browser profile is one phone, with a virtual authenticator):
 *
 * - Luis scans a live code, is told this phone does not hold his key, presses "Registrarla ahora", signs
 *   in on the portal, enrols, goes back, and the scan page tries the code he scanned: present.
 * - María does the same on a class whose code changes every 2 s: back from enrolling, the page says her key
 *   is ready and asks for the code on screen now; she types its six digits: present.
 * - José revoked his lost phone minutes ago: on a new phone he is led to the enrolment page, which says he
 *   must wait, until when, and whom to ask (the teacher for today, an administrator for a reset).
 */
let door: Door;
let browser: BrowserHarness;
/** Luis’s phone once he has enrolled on it (first test), with its authenticator. */
let luis: { phone: Page; authenticator: VirtualAuthenticator } | undefined;

beforeAll(async () => {
  door = await startDoor({ publicAsLocalhost: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await door?.stop();
});

/** A phone that has never enrolled here: a fresh profile with an authenticator and no phone key. */
async function newPhone(): Promise<Page> {
  return (await newPhoneWithAuthenticator()).phone;
}

async function newPhoneWithAuthenticator(): Promise<{ phone: Page; authenticator: VirtualAuthenticator }> {
  const phone = await browser.newPage();
  return { phone, authenticator: await addVirtualAuthenticator(phone) };
}

async function confirmations(sessionId: string, studentId: string): Promise<number> {
  const { rows } = await door.service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance.validations WHERE session_id = $1 AND student_id = $2', [
    sessionId,
    studentId,
  ]);
  return rows[0]!.n;
}

/** From the scan page's dead end to the enrolment page, signed in on the portal, and enrolled. */
async function enrolFromScan(phone: Page, username: string): Promise<void> {
  await phone.getByRole('heading', { name: 'Este teléfono no tiene tu llave' }).waitFor();
  await phone.getByRole('link', { name: 'Registrarla ahora' }).click();
  await fillPortalLogin(phone, username);
  await phone.waitForURL((url) => url.pathname === '/asistencia/enroll/' && url.searchParams.get('next') === 'scan');
  await phone.getByRole('button', { name: 'Registrar mi llave de acceso' }).click();
  await phone.getByText('Listo: tu llave de acceso quedó registrada', { exact: false }).waitFor();
}

describe('a phone without the student’s key', () => {
  test('Luis registers his key and, back at the scan, the code he scanned confirms him', async () => {
    // Codes live for a minute: the one he scanned is still good when he comes back.
    const session = await liveSession(door.service, { rotationPeriodMs: 30_000, graceMs: 30_000 });
    luis = await newPhoneWithAuthenticator();
    const { phone } = luis;
    await phone.goto(`${door.origin}/asistencia/scan/#${(await session.screen()).token}`);
    await phone.getByText('Para marcar asistencia necesitas tu llave de acceso en este teléfono', { exact: false }).waitFor();
    await screenshot(phone, 'dead-end-no-key');
    await enrolFromScan(phone, 'luis.estudiante');
    const back = phone.getByRole('link', { name: 'Volver a marcar mi asistencia' });
    await back.waitFor();
    expect(await phone.evaluate('document.activeElement?.textContent')).toBe('Volver a marcar mi asistencia');
    await screenshot(phone, 'dead-end-enrolled');
    expect(await confirmations(session.id, '2')).toBe(0);
    await back.click();
    await phone.getByRole('heading', { name: 'Asistencia registrada' }).waitFor();
    expect(phone.url()).toBe(`${door.origin}/asistencia/scan/`);
    expect(await confirmations(session.id, '2')).toBe(1);
    await screenshot(phone, 'dead-end-confirmed');
    // The kept code was tried once: opening the scan page again asks for a code.
    await phone.goto(`${door.origin}/asistencia/scan/`);
    await phone.getByRole('heading', { name: 'Escribe el código de la pantalla' }).waitFor();
    expect(browser.pageErrors(phone)).toEqual([]);
    session.close();
  });

  test('María’s code changed while she enrolled: she is asked for the one on screen, types it and is present', async () => {
    const session = await liveSession(door.service, { rotationPeriodMs: 2000, graceMs: 0, fallbackCodeEnabled: true });
    const phone = await newPhone();
    await phone.goto(`${door.origin}/asistencia/scan/#${(await session.screen()).token}`);
    await enrolFromScan(phone, 'maria.estudiante');
    await phone.waitForTimeout(4500); // two periods: the code she scanned is dead
    await phone.getByRole('link', { name: 'Volver a marcar mi asistencia' }).click();
    await phone.getByRole('heading', { name: 'Tu llave está lista: vuelve a escanear el código' }).waitFor();
    await phone.getByText('El código que escaneaste antes ya cambió.', { exact: false }).waitFor();
    await screenshot(phone, 'dead-end-rescan');
    expect(await confirmations(session.id, '3')).toBe(0);
    const { fallbackCode } = await session.screen();
    await phone.getByLabel('Código de 6 dígitos').fill(fallbackCode!);
    await phone.getByRole('button', { name: 'Continuar' }).click();
    await phone.getByRole('heading', { name: 'Asistencia registrada' }).waitFor();
    expect(await confirmations(session.id, '3')).toBe(1);
    expect(browser.pageErrors(phone)).toEqual([]);
    session.close();
  });
});

describe('a passkey that is not on this phone', () => {
  test('Luis deleted his passkey from the phone: the second refused prompt says so, what to do, and to ask the teacher', async () => {
    expect(luis, 'the first test enrols Luis').toBeDefined();
    const { phone, authenticator } = luis!;
    await authenticator.clearCredentials();
    const session = await liveSession(door.service, { rotationPeriodMs: 30_000, graceMs: 30_000 });
    await phone.goto(`${door.origin}/asistencia/scan/#${(await session.screen()).token}`);
    const confirm = phone.getByRole('button', { name: 'Confirmar con mi llave de acceso' });
    await confirm.waitFor();
    await expect.poll(() => confirm.isEnabled()).toBe(true);
    // The first refusal reads as a cancelled prompt: press again.
    await confirm.click();
    await phone.getByText('Vuelve a pulsar el botón', { exact: false }).waitFor();
    await expect.poll(() => confirm.isEnabled()).toBe(true);
    // The second names a deleted passkey, the way to a new one, and the teacher for today.
    await confirm.click();
    const again = phone.getByText('El teléfono sigue sin entregar tu llave de acceso.', { exact: false });
    await again.waitFor();
    expect(await again.textContent()).toContain('pide a tu docente que te marque presente');
    expect(await phone.getByRole('link', { name: '¿Aún no tienes una llave de acceso en este teléfono? Regístrala' }).isVisible()).toBe(true);
    await screenshot(phone, 'dead-end-deleted-passkey');
    expect(await confirmations(session.id, '2')).toBe(0);
    expect(browser.pageErrors(phone)).toEqual([]);
    session.close();
  });

  test('María on a second phone presses “Vincular”: she is told it works only on the phone that holds her passkey, and what to do', async () => {
    // She enrolled in the second test; this is another phone, signed in on the portal.
    const phone = await newPhone();
    await phone.goto(`${door.origin}/asistencia/enroll/`);
    await fillPortalLogin(phone, 'maria.estudiante');
    const link = phone.getByRole('button', { name: 'Vincular este teléfono' });
    await link.waitFor();
    await link.click();
    const told = phone.getByText('«Vincular» solo funciona en el teléfono donde registraste tu llave.', { exact: false });
    await told.waitFor();
    const text = await told.textContent();
    expect(text).not.toContain('bloqueo de pantalla');
    expect(text).toContain('pide a tu docente que te marque presente');
    await screenshot(phone, 'dead-end-second-phone');
    await phone.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => phone.getByRole('button', { name: 'Link this phone' }).isVisible()).toBe(true);
    expect(browser.pageErrors(phone)).toEqual([]);
  });
});

describe('a student in a re-enrolment wait', () => {
  test('José, who revoked his lost phone, is told what the wait is, until when, and whom to ask', async () => {
    const lost = await enrolledPhone(door.service, users.student3);
    const jose = enrollment(door.service, users.student3);
    const [device] = (await jose.devices()).body.devices;
    await jose.revokeWith(lost, device.id, 'Perdí el teléfono');

    const session = await liveSession(door.service, { rotationPeriodMs: 30_000, graceMs: 30_000 });
    const phone = await newPhone();
    await phone.goto(`${door.origin}/asistencia/scan/#${(await session.screen()).token}`);
    await phone.getByRole('heading', { name: 'Este teléfono no tiene tu llave' }).waitFor();
    await phone.getByRole('link', { name: 'Registrarla ahora' }).click();
    await fillPortalLogin(phone, 'jose.estudiante');
    const wait = phone.getByRole('region', { name: 'Debes esperar para registrar otra llave' });
    await wait.waitFor();
    const text = await wait.getByText('Por seguridad hay una espera entre un registro y otro', { exact: false }).textContent();
    // Until when: 30 minutes after his enrolment, in the institution's time zone (America/Santiago).
    const until = new Intl.DateTimeFormat('es-CL', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'America/Santiago' });
    const [enrolledAt] = (await door.service.db.query<{ at: Date }>(`SELECT created_at AS at FROM enrollment.devices WHERE id = $1`, [device.id])).rows;
    expect(text).toContain(`a partir del `);
    expect(text).toContain(until.format(new Date(enrolledAt!.at.getTime() + 30 * 60_000)));
    expect(text).toContain('Para la clase de hoy, pide a tu docente que registre tu asistencia.');
    expect(text).toContain('pide a administración que restablezca tu registro.');
    expect(await phone.getByRole('button', { name: 'Registrar mi llave de acceso' }).isDisabled()).toBe(true);
    expect(await phone.getByRole('link', { name: 'Volver a marcar mi asistencia' }).isVisible()).toBe(false);
    await screenshot(phone, 'dead-end-wait');
    await phone.getByRole('button', { name: 'English' }).click();
    await phone.getByRole('region', { name: 'You must wait to enrol another passkey' }).getByText('ask your teacher to record your attendance', { exact: false }).waitFor();
    expect(browser.pageErrors(phone)).toEqual([]);
    session.close();
  });
});
