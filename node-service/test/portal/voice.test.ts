import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, csrfTokenIn, formBody, PHP_LEGACY_DIR, portalLogin, request, startApache, type RunningApache } from '../support/apache.js';
import { ustedIn } from '../support/voice.js';

/**
 * One voice: the portal speaks tú, as the Asistencia pages and the service do. Its catalogue is read by PHP
 * itself, and its pages and JSON answers are fetched through real Apache and php-fpm as a browser would.
 */

async function catalogue(lang: 'es' | 'en'): Promise<Record<string, string>> {
  const file = join(PHP_LEGACY_DIR, 'src', 'lang', `${lang}.php`);
  const { stdout } = await promisify(execFile)('php', ['-r', 'echo json_encode(require $argv[1], JSON_THROW_ON_ERROR);', file]);
  return JSON.parse(stdout) as Record<string, string>;
}

/** What a reader sees of a page: its text, without markup, scripts or styles. */
function visibleText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the portal’s catalogue', () => {
  it('has every Spanish text in tú', async () => {
    const es = await catalogue('es');
    expect(Object.keys(es).length).toBeGreaterThan(30);
    expect(Object.entries(es).filter(([, text]) => ustedIn(text).length > 0)).toEqual([]);
  });

  it('has the same keys in Spanish and English', async () => {
    const [es, en] = await Promise.all([catalogue('es'), catalogue('en')]);
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
  });
});

describe('the portal’s pages, through Apache', () => {
  let apache: RunningApache;

  beforeAll(async () => {
    apache = await startApache({ env: { LOGIN_MAX_ADDRESS_FAILURES: '1000' } });
  });

  afterAll(async () => {
    await apache?.stop();
  });

  /** The page's text, checked for usted; returned for the caller's own expectations. */
  function sayTu(html: string): string {
    const text = visibleText(html);
    expect(ustedIn(text), text).toEqual([]);
    return text;
  }

  async function submit(fields: Record<string, string>): Promise<string> {
    const jar = new CookieJar();
    const form = await request(`${apache.httpUrl}/login.php`);
    jar.store(form.setCookies);
    const answer = await request(`${apache.httpUrl}/login.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: formBody({ csrf_token: csrfTokenIn(form.body), next: '/', ...fields }),
    });
    return answer.body;
  }

  it('the login page and its refusals', async () => {
    expect(sayTu((await request(`${apache.httpUrl}/login.php`)).body)).toContain('Iniciar sesión');
    expect(sayTu(await submit({ username: '', password: '' }))).toContain('Escribe tu usuario y tu contraseña.');
    expect(sayTu(await submit({ username: 'luis.estudiante', password: 'wrong-password' }))).toContain('Usuario o contraseña incorrectos');
    const expired = await request(`${apache.httpUrl}/login.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody({ csrf_token: 'stale', username: 'luis.estudiante', password: 'demo1234' }),
    });
    expect(sayTu(expired.body)).toContain('Recarga la página y vuelve a intentarlo.');
    expect(sayTu((await request(`${apache.httpUrl}/login.php?logged_out=1`)).body)).toContain('Cerraste la sesión.');
  });

  it('the home page of a student, a teacher and an admin', async () => {
    const home = async (username: string) =>
      sayTu((await request(`${apache.httpUrl}/`, { headers: { cookie: await portalLogin(apache.httpUrl, username, 'demo1234') } })).body);
    expect(await home('luis.estudiante')).toContain('Tus cursos');
    expect(await home('ana.docente')).toContain('Cursos que impartes');
    expect(await home('carmen.admin')).toContain('Todos los cursos');
  });

  it('the token endpoint’s refusal, which the Asistencia pages show', async () => {
    const answer = await request(`${apache.httpUrl}/token.php`);
    expect(answer.status).toBe(401);
    const { error } = JSON.parse(answer.body) as { error: { message: string } };
    expect(ustedIn(error.message)).toEqual([]);
    expect(error.message).toBe('Inicia sesión en el portal para continuar.');
  });
});
