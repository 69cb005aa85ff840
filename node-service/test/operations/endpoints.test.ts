import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/** What an operator relies on: health, readiness, metrics, the generated API document, request ids. */
let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

describe('operations endpoints', () => {
  it('serves the OpenAPI document generated from the route schemas', async () => {
    const response = await fetch(`${service.baseUrl}/asistencia/docs/json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(document.openapi).toMatch(/^3\./);
    for (const path of ['/asistencia/api/me', '/asistencia/api/sessions', '/asistencia/api/scan/confirm', '/asistencia/api/enrollment/options', '/asistencia/ready']) {
      expect(Object.keys(document.paths)).toContain(path);
    }
    expect(document.paths['/asistencia/api/sessions']!.post!.requestBody).toBeDefined();
    expect((await fetch(`${service.baseUrl}/asistencia/docs`)).status).toBe(200);
  });

  it('sends the bare host to the pages instead of a JSON 404', async () => {
    const response = await fetch(`${service.baseUrl}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/asistencia/');
  });

  it('exposes Prometheus metrics, counting requests by route', async () => {
    await fetch(`${service.baseUrl}/asistencia/api/me`, { headers: { authorization: `Bearer ${await portalToken(users.teacher)}` } });
    const text = await (await fetch(`${service.baseUrl}/asistencia/metrics`)).text();
    expect(text).toMatch(/# TYPE http_request_duration_seconds histogram/);
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/asistencia\/api\/me"[^}]*\} [1-9]/);
    expect(text).toMatch(/process_resident_memory_bytes/);
    // The histogram only: a summary of the same durations (declared, never observed) would cost every
    // request its quantile update.
    expect(text).not.toMatch(/http_request_summary_seconds_count/);
  });

  it('answers readiness with each part named', async () => {
    const body = await (await fetch(`${service.baseUrl}/asistencia/ready`)).json();
    expect(body).toEqual({ status: 'ready', parts: { postgres: 'ok', valkey: 'ok', migrations: 'ok', clock: 'ok' }, failing: [], degraded: [] });
  });

  it('sends the security headers with every answer: API, pages and errors alike', async () => {
    for (const path of ['/asistencia/health', '/asistencia/', '/asistencia/api/nothing-here']) {
      const { headers } = await fetch(`${service.baseUrl}${path}`);
      expect(headers.get('content-security-policy'), path).toBe(
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;" +
          "object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';upgrade-insecure-requests;connect-src 'self'",
      );
      expect(headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      // PUBLIC_URL is http here: no HSTS on a door that is not https.
      expect(headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('gives every answer a request id, and keeps a well-formed one the proxy sent', async () => {
    const fresh = await fetch(`${service.baseUrl}/asistencia/health`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await fetch(`${service.baseUrl}/asistencia/health`, { headers: { 'x-request-id': 'apache-abc123' } });
    expect(kept.headers.get('x-request-id')).toBe('apache-abc123');
  });

  it('hides the details of a server error and answers in the error format', async () => {
    const response = await fetch(`${service.baseUrl}/asistencia/api/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), messages: { es: expect.any(String), en: expect.any(String) } } });
  });

  it('refuses a body over the limit with a clear error', async () => {
    const response = await fetch(`${service.baseUrl}/asistencia/api/scan/challenge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'x'.repeat(100_000) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('BODY_TOO_LARGE');
  });
});

describe('documentation in step with the code', () => {
  it('the README documents every setting the service reads', () => {
    const env = readFileSync(fileURLToPath(new URL('../../src/config/env.ts', import.meta.url)), 'utf8');
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const settings = [...env.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]!);
    expect(settings.length).toBeGreaterThan(30);
    const missing = settings.filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
