import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { openSocket } from '../support/ws-client.js';

/**
 * BASE_PATH moves the whole service: routes, the WebSocket, the QR's scan address, calendar feed addresses,
 * the development sign-in's cookie. Nothing still answers, or points, under the default `/asistencia`.
 */
const BASE = '/aula/v2';
let service: RunningService;
let devService: RunningService;

beforeAll(async () => {
  [service, devService] = await Promise.all([
    startService({ env: { BASE_PATH: BASE, PUBLIC_URL: 'https://aula.example.edu' } }),
    startService({ env: { BASE_PATH: BASE, JWT_SECRET: undefined } }),
  ]);
});
afterAll(() => Promise.all([service?.stop(), devService?.stop()]));

describe('a service with BASE_PATH=/aula/v2', () => {
  test('answers under it, and no longer under /asistencia', async () => {
    expect((await fetch(`${service.baseUrl}${BASE}/ready`)).status).toBe(200);
    expect((await fetch(`${service.baseUrl}${BASE}/docs/json`)).status).toBe(200);
    expect((await fetch(`${service.baseUrl}/asistencia/ready`)).status).toBe(404);
    const bare = await fetch(`${service.baseUrl}/`, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe(`${BASE}/`);
  });

  test('projects QR codes pointing at its own scan page, over its own WebSocket', async () => {
    const teacher = apiAs(service.baseUrl, users.teacher, BASE);
    const { body } = await teacher.post('/api/sessions', draftSession());
    await teacher.post(`/api/sessions/${body.id}/open`);
    await teacher.post(`/api/sessions/${body.id}/rounds`);
    const socket = await openSocket(`${service.baseUrl.replace('http', 'ws')}${BASE}/ws`);
    socket.send({ type: 'auth', token: await portalToken(users.teacher) });
    await socket.next('auth.ok');
    socket.send({ type: 'projector.subscribe', sessionId: body.id });
    const frame = await socket.next('qr');
    expect(frame.url).toMatch(/^https:\/\/aula\.example\.edu\/aula\/v2\/scan\/#[\w-]{22}$/);
    socket.close();
  });

  test('hands out calendar feed addresses under it', async () => {
    const { status, body } = await apiAs(service.baseUrl, users.student, BASE).post('/api/me/calendar');
    expect(status).toBe(201);
    expect(body.feeds.length).toBeGreaterThan(0);
    for (const feed of body.feeds) expect(feed.url).toMatch(/^https:\/\/aula\.example\.edu\/aula\/v2\/api\/calendar\//);
  });

  test('the development sign-in lives under it, its cookie scoped to it', async () => {
    const signIn = await fetch(`${devService.baseUrl}${BASE}/dev/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ userId: users.teacher.sub }),
    });
    expect(signIn.status).toBeLessThan(400);
    expect(signIn.headers.get('set-cookie')).toMatch(new RegExp(`Path=${BASE}/;`));
  });
});
