import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftSession } from '../support/api.js';
import { DEFAULT_USERS as lms } from '../support/lti-platform.js';
import { portalToken, users } from '../support/tokens.js';
import { jsonCall, launch, startLtiDoor, type LtiDoor } from './lti-door.js';

/**
 * The platform's services through the real door: the roster from NRPS (merged with the portal's, a source
 * per student) and the attendance grade through AGS (one line item per course, a score after a class closes
 * and after a correction, retried with backoff while the platform fails).
 */
let lti: LtiDoor;
const CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';
const teacherCall = async (method: string, path: string, body?: unknown) => jsonCall(lti.origin, method, path, await portalToken(users.teacher), body);
const course = async () => {
  const answer = await teacherCall('GET', '/api/lti/courses/MAT101');
  expect(answer.status, answer.raw).toBe(200);
  return answer.body;
};
const runGrades = () => lti.door.service.app.ltiGrades.runOnce();
const scoresOf = (userId: string) => lti.platform.scores.filter((s) => s.userId === userId).map((s) => s.scoreGiven);

/** A class of MAT101 held and closed now: everyone absent unless corrected afterwards. */
async function closedClass(): Promise<string> {
  const created = await teacherCall('POST', '/api/sessions', draftSession());
  expect(created.status, created.raw).toBe(201);
  expect((await teacherCall('POST', `/api/sessions/${created.body.id}/open`, {})).status).toBe(200);
  expect((await teacherCall('POST', `/api/sessions/${created.body.id}/close`, {})).status).toBe(200);
  return created.body.id as string;
}

beforeAll(async () => {
  // Each grade pass is the test's own (runGrades): the pass after a change is left to the launch tests.
  lti = await startLtiDoor({ LTI_GRADE_AFTER_CHANGE_MS: '600000' });
  lti.platform.rosters.set('lms-course-1', [lms.ana!, lms.luis!, lms.maria!, lms.carla!]);
  const { response } = await launch(lti, lms.ana!, { claims: { [`${CLAIM}custom`]: { asistencia_course: 'MAT101' } } });
  expect(response.status, response.body).toBe(303);
}, 120_000);
afterAll(async () => lti?.stop());

describe('the roster from the platform (NRPS)', () => {
  it('is read on the launch, every page of it, with a client-credentials token signed by the tool key', async () => {
    const nrpsTokens = lti.platform.tokenRequests.filter((t) => t.scope.includes('contextmembership.readonly'));
    expect(nrpsTokens.length).toBeGreaterThanOrEqual(1);
    expect(nrpsTokens.every((t) => t.granted)).toBe(true);
    const { students, links } = await course();
    expect(links).toEqual([expect.objectContaining({ contextId: 'lms-course-1', nrps: true, ags: true })]);
    expect(students).toEqual([
      { studentId: null, name: 'Carla Soto', email: 'carla.soto@lms.example.org', source: 'lms' },
      { studentId: '4', name: 'José Núñez', email: null, source: 'portal' },
      { studentId: '2', name: 'Luis Pérez', email: 'LUIS.estudiante@example.edu', source: 'both' },
      { studentId: '3', name: 'María Gómez', email: 'maria.estudiante@example.edu', source: 'both' },
    ]);
  });

  it('is read again on demand, and the merge follows the platform', async () => {
    const jose = { id: 'lms-jose', name: 'José Núñez', email: 'jose.estudiante@example.edu', roles: lms.luis!.roles };
    lti.platform.rosters.set('lms-course-1', [lms.ana!, lms.luis!, jose, lms.carla!]);
    const synced = await teacherCall('POST', '/api/lti/courses/MAT101/roster/sync', {});
    expect(synced.status, synced.raw).toBe(200);
    expect(synced.body.members).toBe(4);
    const sources = Object.fromEntries((await course()).students.map((s: { name: string; source: string }) => [s.name, s.source]));
    expect(sources).toEqual({ 'Carla Soto': 'lms', 'José Núñez': 'both', 'Luis Pérez': 'both', 'María Gómez': 'portal' });
    lti.platform.rosters.set('lms-course-1', [lms.ana!, lms.luis!, lms.maria!, lms.carla!]);
    expect((await teacherCall('POST', '/api/lti/courses/MAT101/roster/sync', {})).status).toBe(200);
  });

  it('is not shown to a teacher of another course', async () => {
    const answer = await jsonCall(lti.origin, 'GET', '/api/lti/courses/MAT101', await portalToken(users.otherTeacher));
    expect(answer.status).toBe(403);
  });
});

describe('the attendance grade in the platform (AGS)', () => {
  it('creates one line item for the course, once', async () => {
    await runGrades();
    await runGrades();
    const items = lti.platform.lineItems.filter((l) => l.contextId === 'lms-course-1');
    expect(items).toEqual([expect.objectContaining({ label: 'Asistencia', scoreMaximum: 100, resourceId: 'asistencia:MAT101' })]);
    // No class closed yet: nothing to grade.
    expect(lti.platform.scores).toEqual([]);
  });

  it('posts each student grade after a class closes, and only what changed after a correction', async () => {
    const sessionId = await closedClass();
    expect(await runGrades()).toEqual({ sent: 2, failed: 0 });
    expect(scoresOf('lms-luis')).toEqual([0]);
    expect(scoresOf('lms-maria')).toEqual([0]);
    // Carla has no portal account: nothing is graded for her.
    expect(scoresOf('lms-carla')).toEqual([]);
    expect(lti.platform.scores[0]).toMatchObject({ scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });

    const corrected = await teacherCall('POST', `/api/sessions/${sessionId}/students/2/correction`, { status: 'manual_present', reason: 'Olvidó su teléfono' });
    expect(corrected.status, corrected.raw).toBe(200);
    expect(await runGrades()).toEqual({ sent: 1, failed: 0 });
    expect(scoresOf('lms-luis')).toEqual([0, 100]);
    expect(scoresOf('lms-maria')).toEqual([0]);
    const grades = Object.fromEntries((await course()).grades.map((g: { studentId: string }) => [g.studentId, g]));
    expect(grades['2']).toMatchObject({ score: 100, state: 'sent', error: null });
    expect(grades['3']).toMatchObject({ score: 0, state: 'sent' });
  });

  it('keeps a grade the platform refused as failed, with the reason in words, and tries again later, waiting longer each time', async () => {
    await closedClass();
    lti.platform.failures.scores = 10;
    const first = await runGrades();
    expect(first.failed).toBe(1); // Luis: 100 → 50; María stays at 0.
    const waitOf = async () =>
      (await lti.door.service.db.query<{ seconds: number }>(`SELECT extract(epoch FROM next_attempt_at - now())::float8 AS seconds FROM lti.grade_sync WHERE user_id = 'lms-luis'`)).rows[0]!.seconds;
    const firstWait = await waitOf();
    expect(firstWait).toBeGreaterThan(20);
    expect(firstWait).toBeLessThanOrEqual(30);
    let grades = Object.fromEntries((await course()).grades.map((g: { studentId: string }) => [g.studentId, g]));
    expect(grades['2']).toMatchObject({ score: 50, state: 'failed', attempts: 1 });
    expect(grades['2'].error).toMatch(/no respondió como se esperaba \(AGS score: HTTP 503\)/);

    // Not due yet: nothing is sent.
    expect(await runGrades()).toEqual({ sent: 0, failed: 0 });
    // Time passes (the retry time is moved to now): the second try fails too and waits twice as long.
    await lti.door.service.db.query(`UPDATE lti.grade_sync SET next_attempt_at = now() WHERE user_id = 'lms-luis'`);
    expect(await runGrades()).toEqual({ sent: 0, failed: 1 });
    const secondWait = await waitOf();
    expect(secondWait).toBeGreaterThan(50);
    expect(secondWait).toBeLessThanOrEqual(60);

    lti.platform.failures.scores = 0;
    await lti.door.service.db.query(`UPDATE lti.grade_sync SET next_attempt_at = now() WHERE user_id = 'lms-luis'`);
    expect(await runGrades()).toEqual({ sent: 1, failed: 0 });
    expect(scoresOf('lms-luis')).toEqual([0, 100, 50]);
    grades = Object.fromEntries((await course()).grades.map((g: { studentId: string }) => [g.studentId, g]));
    expect(grades['2']).toMatchObject({ score: 50, state: 'sent', attempts: 0, error: null });
  });

  it('sends on demand when the teacher asks', async () => {
    const sessionId = await closedClass();
    expect((await teacherCall('POST', `/api/sessions/${sessionId}/students/3/correction`, { status: 'manual_present', reason: 'Lista en papel' })).status).toBe(200);
    const sent = await teacherCall('POST', '/api/lti/courses/MAT101/grades/sync', {});
    expect(sent.status, sent.raw).toBe(200);
    // The course page's grade under the default policy (the rate, one decimal): Luis 50 → 33.3, María 0 → 33.3.
    expect(sent.body).toEqual({ sent: 2, failed: 0 });
    expect(scoresOf('lms-maria').at(-1)).toBe(33.3);
    expect(scoresOf('lms-luis').at(-1)).toBe(33.3);
  });

  it('sends the grade of the course policy: dropping the lowest class moves what the LMS gets', async () => {
    const policy = { basis: 'to_date', dropLowest: 1, points: { late: 1, partial: 1 }, absencePenalty: 0, reason: 'Se descarta la peor clase' };
    const changed = await teacherCall('PUT', '/api/courses/MAT101/grade-policy', policy);
    expect(changed.status, changed.raw).toBe(200);
    const sent = await teacherCall('POST', '/api/lti/courses/MAT101/grades/sync', {});
    expect(sent.status, sent.raw).toBe(200);
    // One of three attended, the lowest (an absence) dropped: 1 of 2.
    expect(scoresOf('lms-luis').at(-1)).toBe(50);
    expect(scoresOf('lms-maria').at(-1)).toBe(50);
  });
});
