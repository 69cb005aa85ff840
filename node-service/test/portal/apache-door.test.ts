import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APACHE_CONFIG_DIR, CookieJar, DEFAULT_BODY_LIMIT_BYTES, csrfTokenIn, formBody, portalLogin, request, startApache, type RunningApache } from '../support/apache.js';

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * Stands in for node-service behind Apache: answers every HTTP request with what it received, and echoes
 * WebSocket messages on /asistencia/ws.
 */
async function startUpstream(): Promise<{ address: string; seen: Seen[]; server: Server; wss: WebSocketServer }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (req.url?.startsWith('/asistencia/own-headers')) {
      headers['content-security-policy'] = "default-src 'self'; frame-ancestors 'none'";
      headers['x-content-type-options'] = 'nosniff';
      headers['referrer-policy'] = 'no-referrer';
    }
    res.writeHead(req.url?.includes('missing') ? 404 : 200, headers);
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  const wss = new WebSocketServer({ server, path: '/asistencia/ws' });
  wss.on('connection', (socket, req) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    socket.on('message', (data) => socket.send(`echo:${data.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server, wss };
}

let apache: RunningApache;
let upstream: Awaited<ReturnType<typeof startUpstream>>;

beforeAll(async () => {
  upstream = await startUpstream();
  apache = await startApache({ node: upstream.address });
});

afterAll(async () => {
  await apache?.stop();
  for (const client of upstream?.wss.clients ?? []) client.terminate();
  await new Promise((resolve) => upstream?.wss.close(resolve));
  await new Promise((resolve) => upstream?.server.close(resolve));
});

const echoed = (body: string) => JSON.parse(body) as { url: string; headers: IncomingHttpHeaders };

describe('the door as in production', () => {
  const mapped = (pid: number) => readFileSync(`/proc/${pid}/maps`, 'utf8');
  const alive = (pid: number) => existsSync(`/proc/${pid}`);

  it('is Apache with the event MPM, with PHP in php-fpm and not inside Apache', async () => {
    const { apache: apachePid, phpFpm } = apache.pids;
    expect(mapped(apachePid)).toContain('mod_mpm_event.so');
    expect(mapped(apachePid)).not.toMatch(/mod_mpm_prefork|libphp/);
    expect(readFileSync(`/proc/${phpFpm}/cmdline`, 'utf8')).toMatch(/^php-fpm: master process/);
    // The portal's page is PHP's work, done in php-fpm: its session cookie comes from there.
    const page = await request(`${apache.httpUrl}/login.php`);
    expect(page.status).toBe(200);
    expect(page.setCookies.some((line) => line.startsWith('PORTALSESSID='))).toBe(true);
  });

  it('stops php-fpm with Apache', async () => {
    const other = await startApache({ node: upstream.address });
    const { apache: apachePid, phpFpm } = other.pids;
    expect(alive(apachePid) && alive(phpFpm)).toBe(true);
    await other.stop();
    expect(alive(apachePid)).toBe(false);
    expect(alive(phpFpm)).toBe(false);
    expect(existsSync(other.serverRoot)).toBe(false);
  });
});

describe('routes to node-service', () => {
  it('proxies /asistencia/ with the original Host and path', async () => {
    const answer = await request(`${apache.httpUrl}/asistencia/teacher/?course=MAT101`);
    expect(answer.status).toBe(200);
    const { url, headers } = echoed(answer.body);
    expect(url).toBe('/asistencia/teacher/?course=MAT101');
    expect(headers.host).toBe(new URL(apache.httpUrl).host);
  });

  it('maps /minodo-api/ onto /asistencia/api/', async () => {
    const answer = await request(`${apache.httpUrl}/minodo-api/sessions/42?x=1`, { method: 'POST', body: '{}' });
    expect(echoed(answer.body).url).toBe('/asistencia/api/sessions/42?x=1');
  });

  it('redirects /asistencia to /asistencia/', async () => {
    const answer = await request(`${apache.httpUrl}/asistencia`);
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toMatch(/\/asistencia\/$/);
  });

  it('drops forwarding headers sent by the client and sets its own', async () => {
    const spoofed = {
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
      'x-real-ip': '203.0.113.9',
      forwarded: 'for=203.0.113.9',
    };
    const plain = echoed((await request(`${apache.httpUrl}/asistencia/x`, { headers: spoofed })).body).headers;
    expect(plain['x-forwarded-for']).toBe('127.0.0.1');
    expect(plain['x-forwarded-proto']).toBe('http');
    expect(plain['x-forwarded-host']).toBe(new URL(apache.httpUrl).host);
    expect(plain['x-real-ip']).toBeUndefined();
    expect(plain.forwarded).toBeUndefined();

    const tls = echoed((await request(`${apache.httpsUrl}/asistencia/x`, { headers: spoofed })).body).headers;
    expect(tls['x-forwarded-for']).toBe('127.0.0.1');
    expect(tls['x-forwarded-proto']).toBe('https');
  });

  it('does not hand the PHP portal an X-Forwarded-Proto it could be fooled by', async () => {
    // The portal decides on Secure cookies from the TLS connection itself.
    const answer = await request(`${apache.httpUrl}/login.php`, { headers: { 'x-forwarded-proto': 'https' } });
    const cookie = answer.setCookies.find((line) => line.startsWith('PORTALSESSID='));
    expect(cookie).not.toMatch(/secure/i);
  });

  for (const scheme of ['ws', 'wss'] as const) {
    it(`tunnels the WebSocket on /asistencia/ws over ${scheme}`, async () => {
      const base = scheme === 'ws' ? apache.httpUrl.replace('http', 'ws') : apache.httpsUrl.replace('https', 'wss');
      const socket = new WebSocket(`${base}/asistencia/ws`, { rejectUnauthorized: false });
      const reply = await new Promise<string>((resolve, reject) => {
        socket.once('open', () => socket.send('hola'));
        socket.once('message', (data) => resolve(data.toString()));
        socket.once('error', reject);
      });
      socket.close();
      expect(reply).toBe('echo:hola');
      const handshake = upstream.seen.filter((s) => s.url === '/asistencia/ws').at(-1);
      expect(handshake?.headers['x-forwarded-proto']).toBe(scheme === 'ws' ? 'http' : 'https');
      expect(handshake?.headers['x-forwarded-for']).toBe('127.0.0.1');
    });
  }
});

describe('security headers', () => {
  it('are on every portal page', async () => {
    const answer = await request(`${apache.httpUrl}/login.php`);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('same-origin');
    expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    expect(answer.headers['x-powered-by']).toBeUndefined();
    expect(answer.headers.server).toBe('Apache');
  });

  it('send HSTS on HTTPS only', async () => {
    expect((await request(`${apache.httpsUrl}/login.php`)).headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    expect((await request(`${apache.httpUrl}/login.php`)).headers['strict-transport-security']).toBeUndefined();
  });

  it('limit framing of node-service pages without overriding their own policies or duplicating headers', async () => {
    const plain = await request(`${apache.httpUrl}/asistencia/teacher/`);
    expect(plain.headers['content-security-policy']).toBe("frame-ancestors 'self'");
    expect(plain.headers['x-content-type-options']).toBe('nosniff');
    expect(plain.headers['referrer-policy']).toBe('same-origin');
    const own = await request(`${apache.httpUrl}/asistencia/own-headers`);
    expect(own.headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none'");
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    expect(own.headers['referrer-policy']).toBe('no-referrer');
    const missing = await request(`${apache.httpsUrl}/asistencia/own-headers/missing`);
    expect(missing.status).toBe(404);
    expect(missing.headers['x-content-type-options']).toBe('nosniff');
    expect(missing.headers['strict-transport-security']).toMatch(/max-age/);
  });

  it('hide the server version on error pages too', async () => {
    const answer = await request(`${apache.httpUrl}/no-such-page`);
    expect(answer.status).toBe(404);
    expect(answer.headers.server).toBe('Apache');
    expect(answer.body).not.toMatch(/Apache\/\d/);
  });

  it('refuse TRACE', async () => {
    expect((await request(`${apache.httpUrl}/`, { method: 'TRACE' })).status).toBe(405);
  });
});

describe('request limits', () => {
  it('refuse bodies over node-service\'s limit (64 KiB by default), for the portal and for node-service alike', async () => {
    const body = 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES + 1);
    for (const path of ['/minodo-api/big', '/asistencia/big', '/login.php']) {
      const answer = await request(`${apache.httpUrl}${path}`, { method: 'POST', body });
      expect(answer.status, path).toBe(413);
    }
    const exact = await request(`${apache.httpUrl}/minodo-api/exact`, { method: 'POST', body: 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES) });
    expect(exact.status).toBe(200);
  });

  it('want request bodies to declare their length, for the portal and for node-service alike', async () => {
    for (const path of ['/minodo-api/chunked', '/login.php']) {
      const answer = await request(`${apache.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'transfer-encoding': 'chunked' },
        body: '{}',
      });
      expect(answer.status, path).toBe(411);
    }
  });

  it('refuse oversized header fields', async () => {
    const answer = await request(`${apache.httpUrl}/login.php`, { headers: { 'x-big': 'a'.repeat(9000) } });
    expect(answer.status).toBe(400);
  });
});

describe('HTTPS virtual host', () => {
  it('serves the portal with the self-signed certificate and a Secure session cookie', async () => {
    const form = await request(`${apache.httpsUrl}/login.php`);
    expect(form.status).toBe(200);
    const line = form.setCookies.find((l) => l.startsWith('PORTALSESSID='));
    expect(line).toMatch(/;\s*secure/i);
    expect(line).toMatch(/HttpOnly/i);
    const jar = new CookieJar();
    jar.store(form.setCookies);
    const answer = await request(`${apache.httpsUrl}/login.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: formBody({ csrf_token: csrfTokenIn(form.body), username: 'ana.docente', password: 'demo1234' }),
    });
    expect(answer.status).toBe(303);
  });

  it('hands out portal tokens over HTTPS', async () => {
    const cookie = await portalLogin(apache.httpsUrl, 'luis.estudiante', 'demo1234');
    const answer = await request(`${apache.httpsUrl}/token.php`, { headers: { cookie } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});

describe('access log', () => {
  it('never records query strings or the Referer', async () => {
    const secret = 'SECRET-IN-QUERY-0123456789';
    await request(`${apache.httpUrl}/asistencia/scan?token=${secret}`, { headers: { referer: `https://x/?t=${secret}` } });
    await request(`${apache.httpUrl}/login.php?next=${secret}`);
    const socket = new WebSocket(`${apache.httpUrl.replace('http', 'ws')}/asistencia/ws?token=${secret}`);
    await new Promise((resolve) => {
      socket.once('open', resolve);
      socket.once('error', resolve);
    });
    socket.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { access } = apache.logs();
    expect(access).toContain('"GET /asistencia/scan HTTP/1.1" 200');
    expect(access).toContain('/asistencia/ws');
    expect(access).not.toContain(secret);
  });
});

describe('WebSocket idle timeout', () => {
  it('lets a class-long WebSocket stay idle: every ws upstream allows at least 90 minutes', () => {
    const conf = readFileSync(join(APACHE_CONFIG_DIR, 'asistencia.conf'), 'utf8');
    const wsBalancer = /<Proxy "balancer:\/\/asistencia-ws">([\s\S]*?)<\/Proxy>/.exec(conf)?.[1] ?? '';
    const members = [...wsBalancer.matchAll(/BalancerMember .*$/gm)].map((m) => m[0]);
    expect(members.length).toBeGreaterThan(0);
    for (const member of members) {
      expect(member).toContain('upgrade=websocket');
      expect(Number(/timeout=(\d+)/.exec(member.replace(/connectiontimeout=\d+/, ''))?.[1])).toBeGreaterThanOrEqual(5400);
    }
  });
});
