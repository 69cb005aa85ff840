import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { TEST_JWT_SECRET } from './environment.js';

export interface TokenOverrides {
  sub?: string;
  role?: string;
  name?: string;
  iss?: string;
  aud?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  jti?: string;
  secret?: string;
  alg?: string;
}

export const users = {
  teacher: { sub: '1', role: 'teacher', name: 'Ana Martínez' },
  otherTeacher: { sub: '6', role: 'teacher', name: 'Pedro Sánchez' },
  student: { sub: '2', role: 'student', name: 'Luis Pérez' },
  student2: { sub: '3', role: 'student', name: 'María Gómez' },
  student3: { sub: '4', role: 'student', name: 'José Núñez' },
  admin: { sub: '5', role: 'admin', name: 'Carmen Ruiz' },
} as const;

/** A portal token as the PHP portal signs it, with any claim overridden to test refusals. */
export async function portalToken(user: { sub: string; role: string; name: string }, overrides: TokenOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: 'asistencia-portal',
    aud: 'asistencia',
    sub: user.sub,
    role: user.role,
    name: user.name,
    iat: now,
    nbf: now,
    exp: now + 300,
    jti: randomBytes(16).toString('hex'),
    ...stripUndefined(overrides),
  };
  const { secret = TEST_JWT_SECRET, alg = 'HS256', ...payload } = claims as typeof claims & { secret?: string; alg?: string };
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** An unsigned token (`alg: none`), which must always be refused. */
export function unsignedToken(user: { sub: string; role: string; name: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = { iss: 'asistencia-portal', aud: 'asistencia', ...user, iat: now, nbf: now, exp: now + 300, jti: randomBytes(16).toString('hex') };
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}

/** An HS256-signed token whose header claims RS256 (algorithm confusion). */
export async function mislabelledToken(user: { sub: string; role: string; name: string }): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = { iss: 'asistencia-portal', aud: 'asistencia', ...user, iat: now, nbf: now, exp: now + 300, jti: randomBytes(16).toString('hex') };
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(payload)}`;
  const signature = createHmac('sha256', TEST_JWT_SECRET).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
