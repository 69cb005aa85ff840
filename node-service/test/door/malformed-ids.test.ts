import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPortalDirectory } from '../../src/modules/directory/infrastructure/portal-directory.js';
import { apiAs, draftSession } from '../support/api.js';
import { users } from '../support/tokens.js';
import { DOOR_INTERNAL_API_TOKEN, startDoor, type Door } from './door.js';

// Issue 25, item 2: a fuzz sent course ids like `1;DROP` to the course routes; the real portal answered 400
// and node-service answered 503 DIRECTORY_UNAVAILABLE, telling monitoring the portal was down. Now the
// service refuses a malformed id itself (400 VALIDATION_FAILED, shared/ids.ts, the portal's own rule), and
// a portal 4xx is never "unavailable". Against the real portal (php-fpm behind Apache's internal listener).
// Checked by removing each defence: with the route schemas back to any string of 1 to 32, the course routes
// answer 503 DIRECTORY_UNAVAILABLE; with `refused` in portal-directory.ts back to "not ok is unavailable",
// the directory's answers below are DIRECTORY_UNAVAILABLE.

let door: Door;
beforeAll(async () => {
  door = await startDoor();
}, 60_000);
afterAll(() => door?.stop());

const MALFORMED = ['1;DROP', "MAT101'--", 'MAT 101', 'MAT101%', 'ñandú', 'x'.repeat(33)];

describe('a malformed course id', () => {
  test.each(MALFORMED)('%s is refused by the service itself with 400 on every course route', async (courseId) => {
    const admin = apiAs(door.service.baseUrl, users.admin);
    const teacher = apiAs(door.service.baseUrl, users.teacher);
    const id = encodeURIComponent(courseId);
    const answers = [
      await admin.get(`/api/courses/${id}/attendance`),
      await admin.get(`/api/courses/${id}/at-risk`),
      await admin.get(`/api/courses/${id}/export`),
      await admin.call('PUT', `/api/courses/${id}/minimum`, { percent: 70, reason: 'una razón' }),
      await teacher.post('/api/sessions', draftSession({ courseId })),
      await teacher.get(`/api/sessions?courseId=${id}`),
    ];
    for (const answer of answers) {
      expect({ status: answer.status, code: answer.body?.error?.code }, JSON.stringify(answer.body)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      expect(answer.body.error.message).toMatch(/courseId/);
    }
  });

  test('a well-formed id the portal does not know is a not-found, not an outage', async () => {
    const answer = await apiAs(door.service.baseUrl, users.admin).get('/api/courses/NOPE999/attendance');
    expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status: 404, code: 'DIRECTORY_COURSE_NOT_FOUND' });
  });

  test('a malformed student id is refused with 400 too', async () => {
    const admin = apiAs(door.service.baseUrl, users.admin);
    for (const answer of [await admin.get('/api/admin/devices?studentId=2%3BDROP'), await admin.get('/api/admin/students/2%3BDROP/data')]) {
      expect({ status: answer.status, code: answer.body?.error?.code }, JSON.stringify(answer.body)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
  });
});

describe("the portal's 4xx", () => {
  const directory = () => createPortalDirectory({ baseUrl: door.apache.internalUrl, credential: DOOR_INTERNAL_API_TOKEN });
  const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { code?: string }) => error.code ?? String(error));

  test('about one course is that course not found', async () => {
    expect(await codeOf(directory().roster('1;DROP'))).toBe('DIRECTORY_COURSE_NOT_FOUND');
  });

  test('about one student is no such student', async () => {
    expect(await directory().student('2;DROP')).toBeNull();
  });

  test('about a query is the query refused (400), never the portal unavailable', async () => {
    expect(await codeOf(directory().searchStudents('a b c d e f g h i', 10))).toBe('DIRECTORY_QUERY_REFUSED');
    expect(await codeOf(directory().people(['2;DROP']))).toBe('DIRECTORY_QUERY_REFUSED');
  });
});
