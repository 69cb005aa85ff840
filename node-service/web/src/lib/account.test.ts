import { describe, expect, test } from 'vitest';
import { holderOfToken, homeOf, signOutHref } from './account';
import { basePath } from './api';

const base64url = (text: string): string =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const tokenWith = (claims: unknown): string => `${base64url('{"alg":"HS256"}')}.${base64url(JSON.stringify(claims))}.signature`;

describe('the header reads who is signed in from the portal token', () => {
  test('name (accents and all) and role', () => {
    expect(holderOfToken(tokenWith({ sub: '1', name: 'Ana Martínez', role: 'teacher' }))).toEqual({ name: 'Ana Martínez', role: 'teacher' });
    expect(holderOfToken(tokenWith({ sub: '3', name: 'Luis Pérez', role: 'student' }))).toEqual({ name: 'Luis Pérez', role: 'student' });
  });

  test('nothing from something that is not a portal token', () => {
    expect(holderOfToken('')).toBeNull();
    expect(holderOfToken('not-a-jwt')).toBeNull();
    expect(holderOfToken('a.%%%.c')).toBeNull();
    expect(holderOfToken(tokenWith('text'))).toBeNull();
    expect(holderOfToken(tokenWith({ name: 'Ana', role: 'root' }))).toBeNull();
    expect(holderOfToken(tokenWith({ name: ' ', role: 'teacher' }))).toBeNull();
  });
});

describe('"Mis cursos" leads to the first page of the role', () => {
  test.each([
    ['teacher', `${basePath}teacher/`, 'account.home'],
    ['student', `${basePath}student/`, 'account.home'],
    ['admin', `${basePath}admin/`, 'account.admin'],
  ] as const)('%s', (role, href, key) => {
    expect(homeOf(role)).toEqual({ href, key });
  });
});

describe('"Salir" leads to the portal sign-out in the page language, with the way back', () => {
  test('appends to a bare URL or to one that has a query', () => {
    expect(signOutHref('/logout.php', 'en', '/asistencia/teacher/?session=1')).toBe('/logout.php?lang=en&next=%2Fasistencia%2Fteacher%2F%3Fsession%3D1');
    expect(signOutHref('/portal/salir?x=1', 'es', '/asistencia/')).toBe('/portal/salir?x=1&lang=es&next=%2Fasistencia%2F');
  });
});
