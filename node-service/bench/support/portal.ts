import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

/** The demo directory's teacher of MAT101 (user 1), signed in as the PHP portal would sign her in. */
export const demoTeacher = { sub: '1', role: 'teacher', name: 'Ana Martínez' } as const;

/** A portal JWT: HS256 with the claims the service requires, valid for ten minutes. */
export async function portalToken(secret: string, user: { sub: string; role: string; name: string } = demoTeacher): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: user.role, name: user.name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('asistencia-portal')
    .setAudience('asistencia')
    .setSubject(user.sub)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 600)
    .setJti(randomBytes(16).toString('hex'))
    .sign(new TextEncoder().encode(secret));
}

/** JSON calls to the service API with one portal token; any status but the expected one throws. */
export function apiClient(baseUrl: string, token: string) {
  return async function call<T>(method: 'GET' | 'POST', path: string, expected: number, body?: unknown): Promise<T> {
    const response = await fetch(`${baseUrl}/asistencia${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
