import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startStack, type Stack } from '../../../scripts/containers/stack.js';
import { launchBrowser, type BrowserHarness } from '../../support/browser.js';
import { closeAndExport, enrolPhone, openClass, portalSignIn, scan, sql, waitForDoor, type Classroom } from './classroom.js';

/**
 * Development as it ships: compose.yaml + compose.dev.yaml, the development image of node-service (pages
 * built at start, reload on change, Vite on 9504) and the portal image, built from the project's
 * Containerfiles and brought up with the compose tool; then driven only through Apache's published port,
 * in Chromium, as a teacher and a student would. `npm run containers -- test dev`.
 */
let stack: Stack;
let browser: BrowserHarness;
let origin: string;

beforeAll(async () => {
  stack = await startStack('dev');
  origin = stack.origin;
  await waitForDoor(`${origin}/asistencia/health`);
  await waitForDoor(`${origin}/asistencia/`); // the development image builds the pages before it serves them
  browser = await launchBrowser();
}, 1_500_000);

afterAll(async () => {
  await browser?.close();
  await stack?.down();
}, 300_000);

/** The portal's JWT hand-off as the pages use it, then the service's view of who signed in. */
async function whoAmI(page: Page): Promise<{ role: string; name: string }> {
  return page.evaluate(async () => {
    const { token } = (await (await fetch('/token.php')).json()) as { token: string };
    const me = await fetch('/asistencia/api/me', { headers: { authorization: `Bearer ${token}` } });
    if (!me.ok) throw new Error(`/asistencia/api/me answered ${me.status}`);
    return (await me.json()) as { role: string; name: string };
  });
}

describe('podman compose, development, through the door', () => {
  let classroom: Classroom;
  let phone: Page;

  test('every service is up and healthy, the node-service development image included', async () => {
    const states = await stack.compose(['ps']);
    for (const service of ['asistencia-php', 'asistencia-node', 'asistencia-postgres', 'asistencia-valkey']) {
      expect(states).toMatch(new RegExp(`${service}.*Up`));
    }
    const health = await stack.exec('asistencia-node', ['node', '-e', 'fetch("http://127.0.0.1:3000/asistencia/ready").then(async (r) => console.log(r.status, await r.text()))']);
    expect(health).toMatch(/^200 /);
  });

  test('a teacher and a student sign in on the portal; the JWT it hands over is the service\'s sign-in', async () => {
    const teacher = await browser.newPage();
    await portalSignIn(teacher, origin, '/asistencia/teacher/', 'ana.docente');
    expect(await whoAmI(teacher)).toMatchObject({ role: 'teacher', name: 'Ana Martínez' });
    const student = await browser.newPage();
    await portalSignIn(student, origin, '/asistencia/student/', 'maria.estudiante');
    expect(await whoAmI(student)).toMatchObject({ role: 'student' });
    await teacher.context().close();
    await student.context().close();
  });

  test('a student enrols a phone; the teacher opens a session and projects it; the student scans and is present', async () => {
    phone = await enrolPhone(browser, origin, 'luis.estudiante');
    classroom = await openClass(browser, origin, 'ana.docente', 'Aula 101');
    await scan(phone, classroom.projector, 'containers-dev-scan');
    await classroom.projector.getByText(/^1 \/ \d+ presentes/).waitFor();
    expect(await sql(stack, `SELECT student_id || ':' || round FROM attendance.validations WHERE session_id = '${classroom.sessionId}'`)).toEqual(['2:1']);
  });

  test('the teacher closes the session and the CSV export lists the student as present', async () => {
    const statuses = await closeAndExport(classroom);
    expect(statuses['Luis Pérez']).toBe('Presente');
    expect(statuses['María Gómez']).toBe('Ausente');
    expect(browser.pageErrors(phone)).toEqual([]);
  });
});
