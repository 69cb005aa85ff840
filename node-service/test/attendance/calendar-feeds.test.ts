import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';

/**
 * iCalendar feeds per course (RFC 5545): a secret address per user, stored hashed, regenerable and revocable;
 * a course's sessions with stable UIDs, SEQUENCE and LAST-MODIFIED on change, deleted ones gone.
 */
let service: RunningService;
const teacher = () => apiAs(service.baseUrl, users.teacher);
const HOUR = 60 * 60_000;
const sessions: Array<{ id: string; start: Date }> = [];

beforeAll(async () => {
  service = await startService();
  // Three classes next week; a room whose name needs RFC 5545 escaping (comma, semicolon).
  for (const days of [7, 8, 9]) {
    const start = new Date(Math.floor((Date.now() + days * 24 * HOUR) / 60_000) * 60_000);
    const created = await teacher().post('/api/sessions', draftSession({ room: 'Aula 204, ala B; piso 2', plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 1.5 * HOUR).toISOString() }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    sessions.push({ id: created.body.id, start });
  }
});
afterAll(() => service?.stop());

/** The feed's address on this test service (the answer names it under PUBLIC_URL). */
const onService = (url: string) => `${service.baseUrl}${new URL(url).pathname}`;

async function newFeeds(user: { sub: string; role: string; name: string }) {
  const made = await apiAs(service.baseUrl, user).post('/api/me/calendar');
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body.feeds as Array<{ course: { id: string; name: string }; url: string }>;
}

async function fetchFeed(url: string) {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

function events(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      location: event.location,
      summary: event.summary,
      sequence: event.sequence,
      lastModified: vevent.getFirstPropertyValue('last-modified')?.toString() ?? null,
    };
  });
}

async function feedRows() {
  return (await service.db.query('SELECT user_id, role, encode(token_hash, $$hex$$) AS hash, created_at FROM attendance.calendar_feeds ORDER BY user_id')).rows;
}

describe('a teacher’s course feed', () => {
  let url: string;

  it('lists the course’s sessions in UTC with the room as LOCATION and a stable UID each, as text/calendar', async () => {
    const feeds = await newFeeds(users.teacher);
    expect(feeds.map((f) => f.course.id)).toEqual(['MAT101']);
    url = onService(feeds[0]!.url);
    const feed = await fetchFeed(url);
    expect(feed.status).toBe(200);
    expect(feed.type).toBe('text/calendar; charset=utf-8');
    // RFC 5545 §3.1: CRLF line ends, lines folded at 75 octets.
    expect(feed.text.endsWith('\r\n')).toBe(true);
    for (const line of feed.text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(feed.text).toContain('LOCATION:Aula 204\\, ala B\\; piso 2');
    expect(feed.text).toMatch(/^DTSTART:\d{8}T\d{6}Z\r$/m);
    const listed = events(feed.text);
    expect(listed.map((e) => [e.uid, e.start, e.end, e.location, e.sequence])).toEqual(
      sessions.map((s) => [expect.stringMatching(new RegExp(`^${s.id}@`)), s.start.toISOString(), new Date(s.start.getTime() + 1.5 * HOUR).toISOString(), 'Aula 204, ala B; piso 2', 0]),
    );
    expect(listed[0]!.summary).toBe('Cálculo I (MAT101)');
    // The token is stored only as its SHA-256 hash.
    const [row] = await feedRows();
    expect(row).toMatchObject({ user_id: '1', role: 'teacher' });
    expect(row!.hash).toHaveLength(64);
    expect(row!.hash).not.toContain(new URL(url).pathname.split('/')[4]);
  });

  it('an edited session keeps its UID with a higher SEQUENCE and a LAST-MODIFIED; a deleted one is gone', async () => {
    const before = events((await fetchFeed(url)).text);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // LAST-MODIFIED counts whole seconds
    const edited = await teacher().call('PATCH', `/api/sessions/${sessions[0]!.id}`, { room: 'Sala 12' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect((await teacher().call('DELETE', `/api/sessions/${sessions[1]!.id}`)).status).toBe(204);
    const after = events((await fetchFeed(url)).text);
    expect(after.map((e) => e.uid)).toEqual([before[0]!.uid, before[2]!.uid]);
    expect(after[0]).toMatchObject({ location: 'Sala 12', sequence: 1 });
    expect(after[0]!.lastModified).not.toBe(before[0]!.lastModified);
    expect(after[1]).toEqual(before[2]);
    // A change that moves nothing in the calendar (the planned rounds) leaves the event as it was.
    expect((await teacher().call('PATCH', `/api/sessions/${sessions[2]!.id}`, { roundsPlanned: 3 })).status).toBe(200);
    expect(events((await fetchFeed(url)).text)[1]).toEqual(before[2]);
  });

  it('a regenerated address replaces the old one, which answers 404; a revoked one answers 404', async () => {
    const old = url;
    url = onService((await newFeeds(users.teacher))[0]!.url);
    expect(url).not.toBe(old);
    expect((await fetchFeed(old)).status).toBe(404);
    expect((await fetchFeed(url)).status).toBe(200);
    const status = await teacher().get('/api/me/calendar');
    expect(status.body).toMatchObject({ active: true, courses: [{ id: 'MAT101', name: 'Cálculo I' }] });
    expect((await teacher().call('DELETE', '/api/me/calendar')).body).toEqual({ revoked: true });
    const gone = await fetchFeed(url);
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text).error.code).toBe('CALENDAR_FEED_NOT_FOUND');
    expect((await teacher().get('/api/me/calendar')).body).toMatchObject({ active: false, createdAt: null });
  });
});

describe('who may read a feed', () => {
  it('a student gets feeds for the courses on whose roster they are, and nothing else', async () => {
    const jose = await newFeeds(users.student3); // on MAT101 only
    expect(jose.map((f) => f.course.id)).toEqual(['MAT101']);
    const mine = onService(jose[0]!.url);
    expect(events((await fetchFeed(mine)).text).length).toBeGreaterThan(0);
    // The same token for FIS201, a course José is not on: 404, as for a wrong token.
    expect((await fetchFeed(mine.replace('/MAT101/', '/FIS201/'))).status).toBe(404);
    const luis = await newFeeds(users.student); // on MAT101 and FIS201
    expect(luis.map((f) => f.course.id).sort()).toEqual(['FIS201', 'MAT101']);
  });

  it('a wrong token is 404 and changes nothing; a malformed address is 400', async () => {
    const before = await feedRows();
    const wrong = `${service.baseUrl}/asistencia/api/calendar/${'A'.repeat(43)}/MAT101/sessions.ics`;
    expect((await fetchFeed(wrong)).status).toBe(404);
    expect((await fetchFeed(wrong.replace('A'.repeat(43), 'short'))).status).toBe(404);
    expect((await fetchFeed(wrong.replace('A'.repeat(43), 'bad.token'))).status).toBe(400);
    expect((await fetchFeed(wrong.replace('MAT101', 'MAT%20101'))).status).toBe(400);
    expect(await feedRows()).toEqual(before);
  });

  it('needs the portal token to make, see or revoke an address; an admin has no feed', async () => {
    const anonymous = await fetch(`${service.baseUrl}/asistencia/api/me/calendar`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    expect((await apiAs(service.baseUrl, users.admin).post('/api/me/calendar')).status).toBe(403);
    expect((await teacher().post('/api/me/calendar', { extra: 1 })).status).toBe(400);
  });
});
