import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalLogin, request } from '../support/apache.js';
import { startDoor, type Door } from './door.js';

/**
 * From the portal's home page to an Asistencia page: the portal links each role to its pages, and those
 * links, followed through Apache, are served by node-service. The pages are built for this run into a
 * folder of its own (WEB_DIR), so the test neither depends on nor disturbs node-service/dist/web.
 */
let door: Door;
let webDir: string;

beforeAll(async () => {
  webDir = await mkdtemp(join(tmpdir(), 'asistencia-door-web-'));
  await build({
    configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
    logLevel: 'warn',
    build: { outDir: webDir, emptyOutDir: true },
  });
  door = await startDoor({ env: { WEB_DIR: webDir } });
});
afterAll(async () => {
  await door?.stop();
  if (webDir) await rm(webDir, { recursive: true, force: true });
});

/** The links of the home page's "Asistencia" list, in page order. */
function asistenciaLinks(html: string): string[] {
  const list = /<ul class="asistencia-links">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]!);
}

async function homeOf(username: string): Promise<string> {
  const cookie = await portalLogin(door.apache.httpUrl, username, 'demo1234');
  const home = await request(`${door.apache.httpUrl}/`, { headers: { cookie } });
  expect(home.status).toBe(200);
  return home.body;
}

describe('the portal home page', () => {
  it('links a teacher to the teacher page', async () => {
    expect(asistenciaLinks(await homeOf('ana.docente'))).toEqual(['/asistencia/teacher/']);
  });

  it('links a student to the student page and to passkey enrolment', async () => {
    expect(asistenciaLinks(await homeOf('luis.estudiante')).sort()).toEqual(['/asistencia/enroll/', '/asistencia/student/']);
  });
});

describe('following the links through Apache', () => {
  const pages: Array<[string, string, string]> = [
    ['ana.docente', '/asistencia/teacher/', 'teacher'],
    ['luis.estudiante', '/asistencia/enroll/', 'enroll'],
  ];

  it.each(pages)('%s reaches %s, an Asistencia page with its script', async (username, link, entry) => {
    expect(asistenciaLinks(await homeOf(username))).toContain(link);
    for (const base of [door.apache.httpUrl, door.apache.httpsUrl]) {
      const page = await request(`${base}${link}`);
      expect(page.status, base).toBe(200);
      expect(page.headers['content-type'], base).toMatch(/^text\/html/);
      const script = new RegExp(`<script type="module"[^>]* src="(/asistencia/assets/${entry}-[\\w-]+\\.js)"`).exec(page.body)?.[1];
      expect(script, `${base}${link} loads its own script`).toBeDefined();
      const asset = await request(`${base}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toMatch(/javascript/);
    }
  });

  it('serves the landing page at /asistencia/ and redirects /asistencia there', async () => {
    const landing = await request(`${door.apache.httpUrl}/asistencia/`);
    expect(landing.status).toBe(200);
    expect(landing.headers['content-type']).toMatch(/^text\/html/);
    expect((await request(`${door.apache.httpUrl}/asistencia`)).headers.location).toMatch(/\/asistencia\/$/);
  });
});

describe('the icon', () => {
  const pagePaths = ['/asistencia/', '/asistencia/teacher/', '/asistencia/student/', '/asistencia/enroll/', '/asistencia/scan/', '/asistencia/admin/', '/asistencia/projector/'];

  it.each(pagePaths)('%s names the icon, and it answers through Apache', async (path) => {
    const page = await request(`${door.apache.httpUrl}${path}`);
    const icons = [...page.body.matchAll(/<link rel="icon" href="([^"]+)"/g)].map((match) => match[1]!);
    expect(icons).toEqual(['/asistencia/favicon.svg', '/asistencia/favicon.ico']);
    for (const icon of icons) {
      const answer = await request(`${door.apache.httpUrl}${icon}`);
      expect({ icon, status: answer.status }).toEqual({ icon, status: 200 });
      expect(answer.headers['content-type']).toMatch(/^image\//);
    }
  });

  it('/favicon.ico, which browsers ask for on the portal’s pages, answers at the door and names itself on them', async () => {
    const answer = await request(`${door.apache.httpUrl}/favicon.ico`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^image\//);
    expect((await request(`${door.apache.httpUrl}/login.php`)).body).toContain('<link rel="icon" href="/favicon.ico"');
  });

  it('node-service run alone sends /favicon.ico to its own', async () => {
    const answer = await request(`${door.service.baseUrl}/favicon.ico`);
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/asistencia/favicon.ico');
  });
});
