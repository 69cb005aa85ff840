import { readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  buildImages,
  checkoutRelease,
  podman,
  releaseBeforeLastMigration,
  REPO_ROOT,
  sleep,
  startStack,
  type Stack,
} from '../../../scripts/containers/stack.js';
import { launchBrowser, type BrowserHarness } from '../../support/browser.js';
import { certificateSpki, enrolPhone, openClass, portalCommand, readQr, scanUntilPresent, sql, waitForDoor, waitForLiveCode, type Classroom } from './classroom.js';

/**
 * An upgrade as docs/operations.md has operators do it: production runs the release before the last
 * migration change, a class is under way, then node-service is replaced by today's image while students
 * scan. Migrations apply once, nothing told "confirmed" is lost, the projector comes back by itself.
 * `npm run containers -- test upgrade`.
 */
const PASSWORD = 'clave-de-prueba-123';
const migrations = readdirSync(join(REPO_ROOT, 'database/migrations')).filter((f) => /^\d+\.do\..+\.sql$/.test(f));

let stack: Stack;
let browser: BrowserHarness;
let origin: string;
let release: string;
let releaseDir: string;

const portal = (...args: string[]) => portalCommand(stack, PASSWORD, ...args);

beforeAll(async () => {
  release = await releaseBeforeLastMigration();
  releaseDir = await checkoutRelease(release);
  await buildImages('prod'); // today's images, :latest
  stack = await startStack('prod', { source: releaseDir, tag: 'previous' });
  origin = stack.httpsOrigin;
  await waitForDoor(`${stack.origin}/asistencia/health`);
  browser = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${await certificateSpki(stack)}`] });
  await portal('add-user', 'docente.prueba', 'teacher', 'Docente Prueba');
  for (const [user, name] of [['ana.alumna', 'Ana Alumna'], ['beto.alumno', 'Beto Alumno']] as const) await portal('add-user', user, 'student', name);
  await portal('add-course', 'MAT101', 'Álgebra', 'docente.prueba');
  await portal('enrol', 'MAT101', 'ana.alumna', 'beto.alumno');
}, 2_400_000);

afterAll(async () => {
  await browser?.close();
  await stack?.down();
  if (releaseDir) await rm(releaseDir, { recursive: true, force: true });
}, 300_000);

const NODES = ['asistencia-node', 'asistencia-node-2', 'asistencia-node-3'];

describe('upgrading production while a class scans', () => {
  let classroom: Classroom;
  let ana: Page;
  let beto: Page;

  test('the previous release runs a class: its migrations, one student present', async () => {
    const applied = await sql(stack, 'SELECT version FROM public.asistencia_migrations WHERE version > 0 ORDER BY version');
    expect(applied.length).toBeLessThan(migrations.length);
    ana = await enrolPhone(browser, origin, 'ana.alumna', PASSWORD);
    beto = await enrolPhone(browser, origin, 'beto.alumno', PASSWORD);
    classroom = await openClass(browser, origin, 'docente.prueba', 'Sala 3', PASSWORD);
    await scanUntilPresent(ana, classroom.projector, 'upgrade-ana');
    await classroom.projector.getByText('1 / 2 presentes').waitFor();
  });

  test("node-service is replaced by today's image while a student scans: migrations once, nothing lost, the projector comes back", async () => {
    const envFile = join(stack.dir, '.env');
    await writeFile(envFile, (await readFile(envFile, 'utf8')).replace(/^ASISTENCIA_TAG=.*$/m, 'ASISTENCIA_TAG=latest'));
    // All three instances (compose.prod.yaml) move to today's image.
    const replaced = stack.compose(['up', '-d', '--no-deps', '--no-build', ...NODES]);
    const scanned = scanUntilPresent(beto, classroom.projector, 'upgrade-beto');
    await replaced;
    await scanned;
    for (const node of NODES) expect(await podman(['inspect', '--format', '{{.ImageName}}', await stack.container(node)])).toBe('localhost/asistencia-node:latest\n');
    await waitForDoor(`${stack.origin}/asistencia/health`);
    await classroom.projector.getByText('2 / 2 presentes').waitFor({ timeout: 60_000 });

    // Today's migrations, each applied once (the service applies them at start, under an advisory lock).
    const expected = migrations.map((f) => Number(f.split('.')[0])).sort((a, b) => a - b);
    let applied: number[] = [];
    for (let i = 0; i < 60 && applied.length < expected.length; i += 1) {
      applied = (await sql(stack, 'SELECT version FROM public.asistencia_migrations WHERE version > 0 ORDER BY version')).map(Number);
      if (applied.length < expected.length) await sleep(1000);
    }
    expect(applied).toEqual(expected);
    // Told "confirmed" = rows committed: one row per student who was told so.
    expect(await sql(stack, `SELECT count(*) FROM attendance.validations WHERE session_id = '${classroom.sessionId}'`)).toEqual(['2']);
    // The projector, never reloaded, shows a live code of today's service.
    await waitForLiveCode(classroom.projector);
    expect(await readQr(classroom.projector, 'upgrade-projector-after')).toMatch(new RegExp(`^${origin}/asistencia/scan/#`));
  });
});
