import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ustedIn } from '../../test/support/voice.js';

/**
 * One voice: the pages say tú (every Spanish dictionary of web/), and so does every Spanish message the
 * service sends (error catalogues and other `es:` texts). Formal imperatives and "usted" read like another
 * product. The portal's texts are checked through Apache in test/portal/voice.test.ts.
 */
const srcDir = fileURLToPath(new URL('..', import.meta.url));
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('server messages speak in tú', () => {
  const spanish = sources(srcDir).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\bes: '((?:[^'\\]|\\.)*)'/g)].map((match) => ({ file: file.slice(srcDir.length), text: match[1]! })),
  );

  test('there are messages to check', () => {
    expect(spanish.length).toBeGreaterThan(50);
  });

  test('no Spanish message uses usted', () => {
    expect(spanish.filter(({ text }) => ustedIn(text).length > 0)).toEqual([]);
  });
});

/** The string values of the Spanish object of each `defineMessages({ es }, { en })` call in a page's file. */
function pageSpanishTexts(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/defineMessages\(\s*\{([\s\S]*?)\n\s*\},\s*\{/g)].flatMap((call) =>
    [...call[1]!.matchAll(/:\s*((?:'(?:[^'\\]|\\.)*'\s*\+?\s*)+)/g)].map((value) => value[1]!.replace(/'\s*\+\s*'/g, '').slice(1, -1)),
  );
}

describe('pages speak in tú', () => {
  const webDir = fileURLToPath(new URL('../../web/', import.meta.url));
  const texts = sources(webDir).flatMap((file) => pageSpanishTexts(file).map((text) => ({ file: file.slice(webDir.length), text })));

  test('every page’s Spanish dictionary is read', () => {
    const pages = new Set(texts.map(({ file }) => file.split('/')[0]));
    expect([...pages].sort()).toEqual(['admin', 'calendar', 'dev', 'enroll', 'main.ts', 'projector', 'report', 'scan', 'src', 'student', 'teacher']);
    expect(texts.length).toBeGreaterThan(200);
  });

  test('no Spanish text uses usted', () => {
    expect(texts.filter(({ text }) => ustedIn(text).length > 0)).toEqual([]);
  });
});

describe('the usted detector (test/support/voice.ts)', () => {
  test('finds formal forms the portal and the service once used', () => {
    for (const text of [
      'Ha cerrado la sesión.',
      'Escriba su usuario y su contraseña.',
      'El formulario caducó. Recargue la página e inténtelo de nuevo.',
      'Demasiados intentos fallidos. Espere 1 minuto.',
      'Sus cursos',
      'No tiene cursos asignados.',
      'Para seguir, inicie sesión.',
      '¿Perdió su teléfono? Hable con administración.',
      'Si usted no puede esperar, pida un restablecimiento.',
    ]) {
      expect(ustedIn(text), text).not.toEqual([]);
    }
  });

  test('leaves tú, subjunctives and third persons alone', () => {
    for (const text of [
      'Cerraste la sesión.',
      'Esperando a que el docente inicie una ronda',
      'Para la clase de hoy, pide a tu docente que registre tu asistencia.',
      'Rechazar a {name}: sus confirmaciones dejan de contar',
      'Recarga la página y vuelve a intentarlo.',
    ]) {
      expect(ustedIn(text), text).toEqual([]);
    }
  });
});
