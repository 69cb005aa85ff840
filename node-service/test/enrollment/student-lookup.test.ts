import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDoor, type Door } from '../door/door.js';
import { apiAs } from '../support/api.js';
import { users } from '../support/tokens.js';
import { enrolledPhone } from '../scan/support.js';
import { expectRefusal } from './support.js';

/**
 * An admin finds a student by name, username or id, and the device pages name people, through the real
 * PHP portal (the directory of people) behind Apache: node-service keeps no list of names of its own.
 * ADMIN_SEARCH_MAX_RESULTS=2 so that the bound shows with the three demo students.
 */
let door: Door;
const admin = () => apiAs(door.service.baseUrl, users.admin);
const search = (q: string) => admin().get(`/api/admin/students?q=${encodeURIComponent(q)}`);

beforeAll(async () => {
  door = await startDoor({ env: { ADMIN_SEARCH_MAX_RESULTS: '2' } });
});

afterAll(async () => {
  await door?.stop();
});

describe('GET /api/admin/students', () => {
  it('finds "Luis Perez" as Luis Pérez, whatever the accents and case; by username and by id too', async () => {
    const luis = { id: '2', name: 'Luis Pérez', username: 'luis.estudiante', devicesInUse: 0 };
    for (const q of ['Luis Perez', 'luis pérez', 'PEREZ', '  luis.estudiante ', '2']) {
      const answer = await search(q);
      expect(answer.status, q).toBe(200);
      expect(answer.body, q).toEqual({ query: q.trim(), students: [luis], truncated: false, limit: 2 });
    }
  });

  it('passes the longest query it accepts to the portal: 100 characters of any script, 8 words', async () => {
    for (const q of ['ñ'.repeat(100), 'a b c d e f g h']) expect((await search(q)).status, q).toBe(200);
  });

  it('counts the devices in use of each match', async () => {
    await enrolledPhone(door.service, users.student2);
    expect((await search('María')).body.students).toEqual([{ id: '3', name: 'María Gómez', username: 'maria.estudiante', devicesInUse: 1 }]);
  });

  it('answers an empty list when nobody matches, and never lists a teacher or an admin', async () => {
    for (const q of ['Nadie Existe', 'Ana Martínez', 'carmen.admin', '5']) {
      expect((await search(q)).body, q).toEqual({ query: q, students: [], truncated: false, limit: 2 });
    }
  });

  it('lists at most ADMIN_SEARCH_MAX_RESULTS matches and says there were more', async () => {
    const answer = await search('estudiante');
    expect(answer.body.students.map((s: { name: string }) => s.name)).toEqual(['José Núñez', 'Luis Pérez']);
    expect(answer.body.truncated).toBe(true);
  });

  it('refuses an empty, blank, missing, too long, control-character or nine-word query with 400', async () => {
    for (const path of ['/api/admin/students', '/api/admin/students?q=', '/api/admin/students?q=%20%20', `/api/admin/students?q=${'a'.repeat(101)}`, '/api/admin/students?q=a%00b', '/api/admin/students?q=a%20b%20c%20d%20e%20f%20g%20h%20i']) {
      expectRefusal(await admin().get(path), 400, 'VALIDATION_FAILED');
    }
  });

  it('is for admins only: students and teachers get 403, no token 401', async () => {
    for (const user of [users.student, users.teacher]) expectRefusal(await apiAs(door.service.baseUrl, user).get('/api/admin/students?q=Luis'), 403, 'AUTH_ROLE_FORBIDDEN');
    expect((await fetch(`${door.service.baseUrl}/asistencia/api/admin/students?q=Luis`)).status).toBe(401);
  });
});

describe('names in the device pages', () => {
  it("a student's devices and history name the student and the admin who acted, not roles and ids", async () => {
    const overview = await admin().get('/api/admin/devices?studentId=3');
    expect(overview.body.people).toEqual([{ id: '3', name: 'María Gómez', username: 'maria.estudiante', role: 'student' }]);
    const [device] = overview.body.devices;
    expect((await admin().post(`/api/admin/devices/${device.id}/revoke`, { reason: 'Teléfono robado' })).status).toBe(200);
    const history = await admin().get('/api/admin/devices/history?studentId=3');
    expect(history.body.entries.map((e: { action: string; actorId: string }) => [e.action, e.actorId])).toEqual([
      ['revoked', '5'],
      ['enrolled', '3'],
    ]);
    expect(history.body.people).toEqual([
      { id: '3', name: 'María Gómez', username: 'maria.estudiante', role: 'student' },
      { id: '5', name: 'Carmen Ruiz', username: 'carmen.admin', role: 'admin' },
    ]);
  });

  it('an id the portal does not know is named by nobody', async () => {
    const overview = await admin().get('/api/admin/devices?studentId=999');
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({ studentId: '999', devices: [], people: [] });
  });
});
