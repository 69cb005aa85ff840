import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startApache, type RunningApache } from '../support/apache.js';

// Define ASISTENCIA_REDIRECT_HTTPS (production, as the container's httpd-defines.conf does): the HTTP
// virtual host sends everything but the health check to the public HTTPS origin, with the path and query
// exactly as sent.

const ORIGIN = 'https://asistencia.example.edu:9443';
const REDIRECT = { ASISTENCIA_REDIRECT_HTTPS: true, ASISTENCIA_PUBLIC_HTTPS_ORIGIN: ORIGIN } as const;

/** Stands in for node-service: answers every request with its URL, and remembers it. */
async function startUpstream(): Promise<{ address: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

let apache: RunningApache;
let upstream: Awaited<ReturnType<typeof startUpstream>>;

beforeAll(async () => {
  upstream = await startUpstream();
  apache = await startApache({ node: upstream.address, defines: REDIRECT });
});

afterAll(async () => {
  await apache?.stop();
  await new Promise((resolve) => upstream?.server.close(resolve));
});

describe('HTTP with ASISTENCIA_REDIRECT_HTTPS', () => {
  it.each([
    '/',
    '/login.php',
    '/login.php?next=%2Fasistencia%2Fteacher%2F&lang=en',
    '/asistencia/teacher/?course=MAT101',
    '/minodo-api/sessions/42?x=1',
    '/style.css',
    '/a%20b/%C3%B1%3F?q=%41+b&empty=&flag&next=%2Fasistencia%2F',
    '/asistencia/health/extra',
    '/asistencia/healthz',
    // Internal now (refused on HTTPS too): monitors use /asistencia/health.
    '/asistencia/ready',
  ])('answers GET %s with a 301 to the public HTTPS origin, path and query unchanged', async (target) => {
    const answer = await request(`${apache.httpUrl}${target}`);
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe(`${ORIGIN}${target}`);
    expect(answer.headers['strict-transport-security']).toBeUndefined();
  });

  it('redirects other methods and proxied routes too, without reaching node-service', async () => {
    const before = upstream.seen.length;
    for (const [method, target] of [['POST', '/login.php'], ['POST', '/minodo-api/sessions'], ['HEAD', '/asistencia/'], ['OPTIONS', '/asistencia/api/x']]) {
      const answer = await request(`${apache.httpUrl}${target}`, { method, body: method === 'POST' ? '{}' : undefined });
      expect(answer.status, `${method} ${target}`).toBe(301);
      expect(answer.headers.location).toBe(`${ORIGIN}${target}`);
    }
    expect(upstream.seen.slice(before)).toEqual([]);
  });

  it('sets no portal session cookie on plain HTTP (PHP never runs there)', async () => {
    const answer = await request(`${apache.httpUrl}/login.php`);
    expect(answer.setCookies).toEqual([]);
  });

  it.each(['/asistencia/health', '/asistencia/health?probe=1'])(
    'still serves the health check %s over HTTP (200 from node-service)',
    async (target) => {
      const answer = await request(`${apache.httpUrl}${target}`);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ status: 'ok', url: target });
    },
  );

  it('leaves HTTPS and the internal listener alone', async () => {
    const page = await request(`${apache.httpsUrl}/login.php?lang=en`);
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    const api = await request(`${apache.httpsUrl}/asistencia/teacher/`);
    expect(JSON.parse(api.body).url).toBe('/asistencia/teacher/');
    const internal = await request(`${apache.internalUrl}/internal/courses.php?teacher=healthcheck`);
    expect(internal.status).toBe(401);
    expect(JSON.parse(internal.body).error.code).toBe('INTERNAL_CREDENTIAL_REQUIRED');
  });

  it('logs the redirected requests without their query strings', async () => {
    await request(`${apache.httpUrl}/login.php?next=SECRET-QUERY-42`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { access } = apache.logs();
    expect(access).toContain('"GET /login.php HTTP/1.1" 301');
    expect(access).not.toContain('SECRET-QUERY-42');
  });
});

describe('the container health check with the redirect on', () => {
  const healthcheck = fileURLToPath(new URL('../../../php-legacy/container/healthcheck.php', import.meta.url));

  it('passes when HTTP redirects /style.css to the configured origin, and fails when the origin differs', async () => {
    // healthcheck.php probes the container's fixed ports by default; here, a second door on free ports.
    const door: RunningApache = await startApache({ defines: REDIRECT });
    try {
      const run = (origin: string) =>
        promisify(execFile)('php', [healthcheck], {
          env: {
            PATH: process.env.PATH,
            ASISTENCIA_REDIRECT_HTTPS: 'on',
            ASISTENCIA_PUBLIC_HTTPS_ORIGIN: origin,
            HEALTHCHECK_HTTP_PORT: new URL(door.httpUrl).port,
            HEALTHCHECK_INTERNAL_PORT: new URL(door.internalUrl).port,
          },
        });
      await expect(run(`${ORIGIN}/`)).resolves.toBeDefined();
      await expect(run('https://elsewhere.example')).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining(`answered 301 to ${ORIGIN}/style.css for /style.css, not a 301 to https://elsewhere.example/style.css`),
      });
    } finally {
      await door.stop();
    }
  });
});

describe('asistencia.conf', () => {
  it('refuses to start with the redirect but without the public HTTPS origin', async () => {
    await expect(startApache({ defines: { ASISTENCIA_REDIRECT_HTTPS: true } })).rejects.toThrow(
      /ASISTENCIA_REDIRECT_HTTPS needs Define ASISTENCIA_PUBLIC_HTTPS_ORIGIN/,
    );
  });
});
