import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftSession } from '../support/api.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * NUL and other control characters in any string a route reads (body, path parameter, query) answer 400
 * naming where, before anything reaches PostgreSQL, whose text types refuse NUL. Checked against the
 * defence: without shared/http/input-guard.ts, 9 of these answered 500.
 */
const INTERNAL = 'internal-token-for-control-character-tests-0123456789';
let service: RunningService;
let sessionId: string;

beforeAll(async () => {
  service = await startService({ env: { INTERNAL_API_TOKEN: INTERNAL } });
  const created = await call(users.teacher, 'POST', '/api/sessions', draftSession());
  sessionId = (created.json() as { id: string }).id;
});
afterAll(() => service?.stop());

type User = (typeof users)[keyof typeof users];

async function call(user: User | 'internal', method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  const authorization = user === 'internal' ? `Bearer ${INTERNAL}` : `Bearer ${await portalToken(user)}`;
  return service.app.server.inject({ method, url: `/asistencia${url}`, headers: { authorization }, payload: payload as object });
}

const reason = 'Justificante médico';
const cases: Array<[string, string, User | 'internal', 'GET' | 'POST' | 'PATCH', () => string, unknown]> = [
  ['session course', 'body/courseId', users.teacher, 'POST', () => '/api/sessions', draftSession({ courseId: 'MAT\u0000101' })],
  ['session room', 'body/room', users.teacher, 'POST', () => '/api/sessions', draftSession({ room: 'Aula\u0000204' })],
  ['correction student', 'params/studentId', users.teacher, 'POST', () => `/api/sessions/${sessionId}/students/2%00/correction`, { status: 'excused', reason }],
  ['correction reason', 'body/reason', users.teacher, 'POST', () => `/api/sessions/${sessionId}/students/2/correction`, { status: 'excused', reason: 'Justificante\u0000' }],
  ['course export', 'params/courseId', users.teacher, 'GET', () => '/api/courses/MAT%00101/export', undefined],
  ['admin devices', 'querystring/studentId', users.admin, 'GET', () => '/api/admin/devices?studentId=2%00', undefined],
  ['admin student lookup', 'querystring/q', users.admin, 'GET', () => '/api/admin/students?q=Luis%00P%C3%A9rez', undefined],
  ['admin history', 'querystring/studentId', users.admin, 'GET', () => '/api/admin/devices/history?studentId=%002', undefined],
  ['admin revoke reason', 'body/reason', users.admin, 'POST', () => '/api/admin/devices/999/revoke', { reason: 'robado\u0000' }],
  ['admin reset', 'body/studentId', users.admin, 'POST', () => '/api/admin/devices/reset', { studentId: '2\u0000', reason }],
  ['device name', 'body/name', users.student, 'PATCH', () => '/api/enrollment/devices/999', { name: 'Mi\u0000móvil' }],
  ['device revoke reason', 'body/reason', users.student, 'POST', () => '/api/enrollment/devices/999/revoke', { reason: 'perdido\u0000' }],
  ['revocation jti', 'body/jti', 'internal', 'POST', () => '/internal/revocations', { jti: 'abcdef\u000012', exp: Math.floor(Date.now() / 1000) + 60 }],
  ['other C0 control', 'body/room', users.teacher, 'POST', () => '/api/sessions', draftSession({ room: 'Aula\u001b[2J' })],
  ['DEL', 'body/room', users.teacher, 'POST', () => '/api/sessions', draftSession({ room: 'Aula\u007f' })],
  ['C1 control', 'body/room', users.teacher, 'POST', () => '/api/sessions', draftSession({ room: 'Aula\u0085' })],
  ['object key', 'body', users.teacher, 'POST', () => '/api/sessions', { ...draftSession(), 'x\u0000': 1 }],
];

describe('control characters in input', () => {
  it.each(cases)('%s: 400 naming %s', async (_name, where, user, method, url, payload) => {
    const before = await service.db.query('SELECT count(*)::int AS n FROM attendance.sessions');
    const answer = await call(user, method, url(), payload);
    expect(answer.statusCode, answer.body).toBe(400);
    expect(answer.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: `La solicitud no es válida: ${where}: control characters are not allowed`,
      details: [{ where, problem: 'control characters are not allowed' }],
    });
    expect((await service.db.query('SELECT count(*)::int AS n FROM attendance.sessions')).rows).toEqual(before.rows);
  });

  it('keeps line breaks and tabs in body text: a correction reason is typed in a textarea', async () => {
    await call(users.teacher, 'POST', `/api/sessions/${sessionId}/open`);
    const answer = await call(users.teacher, 'POST', `/api/sessions/${sessionId}/students/2/correction`, {
      status: 'excused',
      reason: 'Justificante médico\r\n\tentregado en secretaría',
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().overrideReason).toBe('Justificante médico\r\n\tentregado en secretaría');
  });

  it('says it in English to an English reader', async () => {
    const answer = await service.app.server.inject({
      method: 'GET',
      url: '/asistencia/api/admin/devices?studentId=%07',
      headers: { authorization: `Bearer ${await portalToken(users.admin)}`, 'accept-language': 'en' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.message).toBe('The request is not valid: querystring/studentId: control characters are not allowed');
  });
});
