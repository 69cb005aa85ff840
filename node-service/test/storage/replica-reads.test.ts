import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusLabel } from '../../src/modules/attendance/domain/report.js';
import { apiAs, draftSession, type Json } from '../support/api.js';
import { withDatabase } from '../support/environment.js';
import { parseCsv } from '../support/csv.js';
import { startService, type RunningService } from '../support/service.js';
import { steppedClock } from '../support/stepped-clock.js';
import { startStreamingStandby, type StreamingStandby } from '../support/streaming-standby.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * Issue #28: the reads that may be seconds stale (the course export, the course page's standings and
 * at-risk list, the printable student report, "my attendance") go to a real PostgreSQL streaming standby
 * (DATABASE_REPLICA_URL) while it keeps up, and to the primary when it lags past
 * DATABASE_REPLICA_MAX_LAG_SECONDS or is down, never answering an error because of it.
 *
 * How a read is shown to come from the standby: its replay is paused (pg_wal_replay_pause) and a correction
 * is written on the primary. The primary now says "excused", the standby still "present": a read that
 * answers "present" came from the standby. Checked by sending these reads to the primary (`staleReads: db`
 * in app.ts): the first test goes red. The session's own export, the correction's answer and the live
 * reads stay on the primary and show "excused" at once. Walk-ins named while a course is read are read back
 * from the primary (checked by reading them back through the standby: red).
 */
let standby: StreamingStandby;
let service: RunningService;
const clock = steppedClock();
const day = 24 * 60 * 60_000;
let sessionId: string;
const teacher = () => apiAs(service.baseUrl, users.teacher);
const LUIS = users.student;

async function csv(target: RunningService, path: string, user: { sub: string; role: string; name: string } = users.teacher): Promise<string[][]> {
  const response = await fetch(`${target.baseUrl}/asistencia${path}`, { headers: { authorization: `Bearer ${await portalToken(user)}` } });
  expect(response.status).toBe(200);
  return parseCsv((await response.text()).replace(/^\uFEFF/, ''));
}

/** Luis's status in the one session, as the course export prints it. */
async function courseExportSays(target: RunningService = service): Promise<string> {
  const [header, ...rows] = await csv(target, '/api/courses/MAT101/export?format=csv');
  const row = rows.find((r) => r[1] === LUIS.name)!;
  return row[header!.findIndex((title) => title.endsWith('Aula 204'))]!;
}

/** The same status as the session's own export prints it (always the primary's). */
async function sessionExportSays(): Promise<string> {
  const [header, ...rows] = await csv(service, `/api/sessions/${sessionId}/export?format=csv`);
  return rows.find((r) => r[1] === LUIS.name)![header!.indexOf('Estado')]!;
}

/** What every read that may be stale says of Luis in that session: his status, or his excused count. */
async function staleReadsSay(target: RunningService = service) {
  const as = (user: { sub: string; role: string; name: string }) => apiAs(target.baseUrl, user);
  const [coursePage, atRisk, report, mine] = await Promise.all([
    as(users.teacher).get('/api/courses/MAT101/attendance'),
    as(users.teacher).get('/api/courses/MAT101/at-risk'),
    as(users.teacher).get(`/api/courses/MAT101/students/${LUIS.sub}/report`),
    as(LUIS).get('/api/me/attendance'),
  ]);
  for (const answer of [coursePage, atRisk, report, mine]) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return {
    courseExport: await courseExportSays(target),
    coursePageExcused: coursePage.body.students.find((s: Json) => s.studentId === LUIS.sub).totals.excused as number,
    reportStatus: report.body.sessions.find((s: Json) => s.sessionId === sessionId).status as string,
    myStatus: mine.body.courses.find((c: Json) => c.course.id === 'MAT101').sessions.find((s: Json) => s.sessionId === sessionId).status as string,
  };
}

const present = { courseExport: statusLabel('manual_present', 'es'), coursePageExcused: 0, reportStatus: 'manual_present', myStatus: 'manual_present' };
const excused = { courseExport: statusLabel('excused', 'es'), coursePageExcused: 1, reportStatus: 'excused', myStatus: 'excused' };

interface Readiness {
  status: number;
  body: { status: string; parts: Record<string, string>; reasons?: Record<string, string> };
}
async function readiness(target: RunningService): Promise<Readiness> {
  const answer = await fetch(`${target.baseUrl}/asistencia/ready`);
  return { status: answer.status, body: (await answer.json()) as Readiness['body'] };
}

/** Polls /ready until the standby part is in `state` (the probe runs every DATABASE_REPLICA_PROBE_MS). */
async function replicaBecomes(target: RunningService, state: 'ok' | 'degraded', timeoutMs = 20_000): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await readiness(target);
    if (answer.body.parts['postgres_replica'] === state) return answer;
    if (Date.now() > deadline) throw new Error(`postgres_replica never became ${state}: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const onPrimary = () => ({ name: 'asistencia', url: standby.primaryUrl, drop: async () => undefined });

beforeAll(async () => {
  standby = await startStreamingStandby();
  service = await startService({
    database: onPrimary(),
    env: { DATABASE_REPLICA_URL: standby.standbyUrl, DATABASE_REPLICA_PROBE_MS: '100', DATABASE_REPLICA_MAX_LAG_SECONDS: '60' },
    clock,
  });
  const start = new Date(Date.now() - 7 * day);
  const created = await teacher().post('/api/sessions', draftSession({ plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString() }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  sessionId = created.body.id;
  expect((await teacher().post(`/api/sessions/${sessionId}/open`)).status).toBe(200);
  expect((await teacher().post(`/api/sessions/${sessionId}/close`)).status).toBe(200);
  const marked = await teacher().post(`/api/sessions/${sessionId}/corrections`, { studentIds: ['2', '3'], status: 'manual_present', reason: 'Lista en papel' });
  expect(marked.status, JSON.stringify(marked.body)).toBe(200);
}, 180_000);

afterAll(async () => {
  await service?.stop();
  await standby?.stop();
});

describe('reads that may be seconds stale, with a streaming standby', () => {
  it('come from the standby while it keeps up: a correction its replay has not reached yet does not show', async () => {
    await standby.caughtUp(20_000);
    expect(await staleReadsSay()).toEqual(present);
    await replicaBecomes(service, 'ok');
    await standby.pauseReplay();

    const corrected = await teacher().post(`/api/sessions/${sessionId}/students/${LUIS.sub}/correction`, { status: 'excused', reason: 'Certificado médico' });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    // The correction's own answer is read back on the primary, inside its transaction.
    expect(corrected.body.status).toBe('excused');
    // As is the session's export: a teacher closes and exports at once.
    expect(await sessionExportSays()).toBe(statusLabel('excused', 'es'));

    // Fresh enough by the bound (60 s), the standby answers: still "present" there.
    expect(await staleReadsSay()).toEqual(present);
    expect((await readiness(service)).body.parts['postgres_replica']).toBe('ok');
  });

  it('come from the primary once the standby is further behind than DATABASE_REPLICA_MAX_LAG_SECONDS, /ready staying 200 and saying degraded', async () => {
    clock.advanceTo(clock.now() + 61_000);
    const ready = await replicaBecomes(service, 'degraded');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.reasons?.['postgres_replica']).toMatch(/past DATABASE_REPLICA_MAX_LAG_SECONDS \(60 s\); its reads go to the primary/);
    expect(await staleReadsSay()).toEqual(excused);
  });

  it('go back to the standby once its replay catches up', async () => {
    await standby.resumeReplay();
    await standby.caughtUp(20_000);
    const ready = await replicaBecomes(service, 'ok');
    expect(ready.body.status).toBe('ready');
    expect(await staleReadsSay()).toEqual(excused);
  });

  it('read a walk-in named just now back from the primary, not from a standby that has not seen the name', async () => {
    // José (4) is not on FIS201's roster: a walk-in, recorded (as a confirmation records one) under his id
    // until something names him from the directory. The standby has him unnamed, and is then held there.
    const pedro = apiAs(service.baseUrl, users.otherTeacher);
    const created = await pedro.post('/api/sessions', draftSession({ courseId: 'FIS201' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const fis = created.body.id as string;
    expect((await pedro.post(`/api/sessions/${fis}/open`)).status).toBe(200);
    expect((await pedro.post(`/api/sessions/${fis}/close`)).status).toBe(200);
    await withDatabase(standby.primaryUrl, async (client) => {
      await client.query("INSERT INTO attendance.registrations (session_id, student_id, student_name, source, flagged) VALUES ($1, '4', '4', 'walk_in', true)", [fis]);
      await client.query("INSERT INTO attendance.results (session_id, student_id, status, computed_status, rounds_confirmed, is_final) VALUES ($1, '4', 'present', 'present', 1, true)", [fis]);
    });
    await standby.caughtUp(20_000);
    await replicaBecomes(service, 'ok');
    await standby.pauseReplay();
    try {
      const [, ...rows] = await csv(service, '/api/courses/FIS201/export?format=csv', users.otherTeacher);
      expect(rows.map((row) => row[1])).toContain('José Núñez');
      const page = await pedro.get('/api/courses/FIS201/attendance');
      expect(page.body.students.find((s: Json) => s.studentId === '4')).toMatchObject({ studentName: 'José Núñez', onRoster: false });
      // The name was written on the primary only: the standby, its replay held, still has the id.
      const onStandby = await withDatabase(standby.standbyUrl, (client) =>
        client.query<{ student_name: string }>("SELECT student_name FROM attendance.registrations WHERE session_id = $1 AND student_id = '4'", [fis]),
      );
      expect(onStandby.rows).toEqual([{ student_name: '4' }]);
    } finally {
      await standby.resumeReplay();
    }
    await standby.caughtUp(20_000);
  });

  it('are answered by the primary, never an error, when the standby is down: read failed, then probe', async () => {
    // A second instance that probes once at start and not again for a minute: its reads still take the
    // standby for fresh when it goes down, so the first one meets the failure itself.
    const second = await startService({
      database: onPrimary(),
      env: { DATABASE_REPLICA_URL: standby.standbyUrl, DATABASE_REPLICA_PROBE_MS: '60000', DATABASE_REPLICA_MAX_LAG_SECONDS: '3600' },
    });
    try {
      await replicaBecomes(second, 'ok');
      await standby.stopStandby();

      expect(await staleReadsSay(second)).toEqual(excused);
      const afterFailure = await readiness(second);
      expect(afterFailure.status).toBe(200);
      expect(afterFailure.body.parts['postgres_replica']).toBe('degraded');
      expect(afterFailure.body.reasons?.['postgres_replica']).toMatch(/standby set aside: a read failed/);

      // The first instance's probe finds the standby unreachable; its reads go to the primary.
      const probed = await replicaBecomes(service, 'degraded');
      expect(probed.status).toBe(200);
      expect(probed.body.reasons?.['postgres_replica']).toMatch(/standby set aside: unreachable/);
      expect(await staleReadsSay()).toEqual(excused);
      expect(probed.body.parts['postgres']).toBe('ok');
    } finally {
      await second.stop();
      await standby.startStandby();
    }
  });
});
