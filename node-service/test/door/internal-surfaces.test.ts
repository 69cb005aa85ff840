import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/apache.js';
import { DOOR_INTERNAL_API_TOKEN, startDoor, type Door } from './door.js';

/**
 * node-service's internal surfaces (the portal's revocation endpoint, metrics, the API documentation, the
 * readiness probe) answer on node-service itself, and never through the public door, however the path is
 * spelled. The health check stays public. Removing the LocationMatch that refuses them in
 * apache-config/asistencia.conf turns every "refused" case here red (checked once by hand).
 */
let door: Door;

beforeAll(async () => {
  door = await startDoor();
});
afterAll(() => door?.stop());

const INTERNAL = [
  '/asistencia/internal/revocations',
  '/asistencia/metrics',
  '/asistencia/docs',
  '/asistencia/docs/',
  '/asistencia/docs/json',
  '/asistencia/docs/yaml',
  '/asistencia/docs/static/index.html',
  '/asistencia/ready',
];

/** Other spellings of the same paths that Apache or node-service could read as them. */
const DISGUISED = [
  '/asistencia//metrics',
  '/asistencia/./metrics',
  '/asistencia/api/../metrics',
  '/asistencia/%6detrics',
  '/asistencia/%2e/docs/json',
  '/asistencia/metrics/',
  '/asistencia/metrics?format=text',
  '/asistencia/METRICS',
  '/asistencia/Docs/json',
  '/asistencia/ready/',
  '/asistencia/ready?x=1',
  '/asistencia/internal/revocations/',
];

describe('internal surfaces of node-service', () => {
  it('answer on node-service itself (so a refusal below is the door\'s)', async () => {
    for (const path of ['/asistencia/metrics', '/asistencia/docs/json', '/asistencia/ready']) {
      expect((await request(`${door.service.baseUrl}${path}`)).status, path).toBe(200);
    }
  });

  it.each(['http', 'https'] as const)('are refused over %s with 403, for every method, and never reach node-service', async (scheme) => {
    const base = scheme === 'http' ? door.apache.httpUrl : door.apache.httpsUrl;
    for (const path of [...INTERNAL, ...DISGUISED]) {
      for (const method of ['GET', 'POST', 'HEAD']) {
        const answer = await request(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${DOOR_INTERNAL_API_TOKEN}`, 'content-type': 'application/json' },
          body: method === 'POST' ? JSON.stringify({ jti: 'jti-from-outside-0001', exp: Math.floor(Date.now() / 1000) + 600 }) : undefined,
        });
        expect(answer.status, `${method} ${path}`).toBe(403);
        expect(answer.body, `${method} ${path}`).not.toMatch(/openapi|process_cpu|"status":"ready"/);
      }
    }
    // The revocation posted above with the right credential did not happen.
    const { rows } = await door.service.db.query(`SELECT jti FROM auth.revoked_tokens WHERE jti = 'jti-from-outside-0001'`);
    expect(rows).toEqual([]);
  });

  it('are not reachable through the /minodo-api/ alias either', async () => {
    for (const path of ['/minodo-api/../metrics', '/minodo-api/%2e%2e/metrics', '/minodo-api/..%2fmetrics', '/minodo-api/../docs/json', '/minodo-api/../internal/revocations', '/minodo-api/../ready']) {
      const answer = await request(`${door.apache.httpUrl}${path}`);
      expect([403, 404], path).toContain(answer.status);
      expect(answer.body, path).not.toMatch(/openapi|process_cpu|"status":"ready"/);
    }
    for (const path of ['/minodo-api/metrics', '/minodo-api/docs/json', '/minodo-api/internal/revocations', '/minodo-api/ready']) {
      // Mapped onto /asistencia/api/…, where nothing internal lives: node-service's JSON 404.
      const answer = await request(`${door.apache.httpUrl}${path}`);
      expect(answer.status, path).toBe(404);
      expect(JSON.parse(answer.body).error.code, path).toBe('NOT_FOUND');
    }
  });

  it('leave the health check and the API open', async () => {
    const health = await request(`${door.apache.httpUrl}/asistencia/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect((await request(`${door.apache.httpsUrl}/asistencia/health`)).status).toBe(200);
    expect((await request(`${door.apache.httpUrl}/asistencia/api/me`)).status).toBe(401);
    expect((await request(`${door.apache.httpUrl}/minodo-api/me`)).status).toBe(401);
  });
});
