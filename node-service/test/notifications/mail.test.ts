import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestDigestWeek } from '../../src/modules/notifications/domain/schedule.js';
import { locks, takeLock } from '../../src/shared/storage/locks.js';
import { apiAs, draftSession } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { freePort, startService, type RunningService } from '../support/service.js';
import { startSmtpServer, type SmtpServer } from '../support/smtp-server.js';
import { users } from '../support/tokens.js';

/**
 * Warnings by e-mail against a real SMTP server (Debian's aiosmtpd writing a Maildir) and a real PostgreSQL.
 *
 * Cálculo I (MAT101: Luis 2, María 3, José 4), four sessions planned: three held (Luis present in all, María
 * in two, José in none; two of them in the week the latest digest covers), one still to come. Minimum 75 %:
 * four planned allow one absence, so María (66,7 %) can miss no more and José (0 %) can no longer reach it.
 */
const DAY = 24 * 60 * 60_000;
const TIME_ZONE = 'America/Santiago';
let database: TestDatabase;
let service: RunningService;
let smtpPort: number;
let smtp: SmtpServer | undefined;
const teacher = () => apiAs(service.baseUrl, users.teacher);

async function heldSession(start: Date, present: string[]): Promise<void> {
  const created = await teacher().post('/api/sessions', draftSession({ plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString() }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  expect((await teacher().post(`/api/sessions/${id}/open`)).status).toBe(200);
  expect((await teacher().post(`/api/sessions/${id}/close`)).status).toBe(200);
  if (present.length > 0) {
    const marked = await teacher().post(`/api/sessions/${id}/corrections`, { studentIds: present, status: 'manual_present', reason: 'Lista en papel' });
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
  }
}

const sentRows = async () =>
  (await service.db.query<{ kind: string; recipient_id: string; course_id: string }>('SELECT kind, recipient_id, course_id FROM notifications.sent_mail ORDER BY kind, recipient_id')).rows;

beforeAll(async () => {
  database = await createTestDatabase();
  smtpPort = await freePort();
  // Nothing listens on the SMTP port yet: the server is down until a test starts it.
  service = await startService({
    database,
    env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SMTP_FROM: 'Asistencia <asistencia@example.edu>', MAIL_SEND_TIMEOUT_SECONDS: '5', TIME_ZONE },
  });
  const week = latestDigestWeek(new Date(), TIME_ZONE, 1, 8);
  await heldSession(new Date(week.from.getTime() - 2 * DAY), ['2', '3']);
  await heldSession(new Date(week.to.getTime() - 3 * DAY), ['2', '3']);
  await heldSession(new Date(week.to.getTime() - 2 * DAY), ['2']);
  const later = new Date(Date.now() + 7 * DAY);
  expect((await teacher().post('/api/sessions', draftSession({ plannedStart: later.toISOString(), plannedEnd: new Date(later.getTime() + 90 * 60_000).toISOString() }))).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await smtp?.stop();
  await database?.drop();
});

describe('warnings by e-mail', () => {
  it('with the SMTP server down, a run fails softly: nothing is recorded as sent, and it is tried again later', async () => {
    const counts = await service.app.mail.runOnce();
    // The first refused message stops the run: the digest is not tried against a server known to be down.
    expect(counts).toEqual({ warningsSent: 0, digestsSent: 0, withoutAddress: 0, failed: 1, capped: false });
    expect(await sentRows()).toEqual([]);
    expect((await service.db.query('SELECT job FROM notifications.job_runs')).rows).toEqual([]);
  });

  it('once the server is up: one warning to each student at risk, in Spanish with their numbers, and the digest to the teacher and the co-teacher', async () => {
    smtp = await startSmtpServer(smtpPort);
    const atRisk = (await teacher().get('/api/courses/MAT101/at-risk')).body.students.map((s: { studentId: string }) => s.studentId) as string[];
    expect(atRisk).toEqual(expect.arrayContaining(['3', '4']));

    const counts = await service.app.mail.runOnce();
    // The seed's Cálculo I has a co-teacher (Rosa) and an assistant (Diego): the digest goes to Ana and Rosa only.
    expect(counts).toMatchObject({ warningsSent: atRisk.length, digestsSent: 2, failed: 0, capped: false });
    const received = await smtp.received();
    expect(received).toHaveLength(atRisk.length + 2);
    for (const mail of received) expect(mail.from).toBe('asistencia@example.edu');

    const to = (address: string) => received.filter((m) => m.to.includes(address));
    const [maria] = to('maria.estudiante@example.edu');
    expect(maria!.to).toEqual(['maria.estudiante@example.edu']);
    expect(maria!.subject).toBe('Asistencia en riesgo: Cálculo I');
    expect(maria!.text).toContain('Hola, María Gómez:');
    expect(maria!.text).toContain('Tu asistencia en Cálculo I (MAT101) está en riesgo. Llevas 66,7 % (2 de 3 clases contadas); el mínimo del curso es 75 %. Has faltado a 1 clase.');
    expect(maria!.text).toContain('No puedes faltar a ninguna clase más de las 4 planificadas sin quedar bajo el mínimo.');
    expect(maria!.text).toContain('Habla con tu docente, Ana Martínez');
    expect(maria!.text).toContain('pídele una justificación');
    expect(maria!.html).toContain('<p>Tu asistencia en Cálculo I (MAT101) está en riesgo.');

    const [jose] = to('jose.estudiante@example.edu');
    expect(jose!.text).toContain('Llevas 0 % (0 de 3 clases contadas)');
    expect(jose!.text).toContain('Aunque asistas a todas las clases que quedan (1), ya no puedes alcanzar el mínimo.');

    const [digest] = to('ana.docente@example.edu');
    expect(digest!.subject).toMatch(/^Resumen semanal de asistencia: Cálculo I \(\d{4}-\d{2}-\d{2} al \d{4}-\d{2}-\d{2}\)$/);
    expect(digest!.text).toContain('Hola, Ana Martínez:');
    // Two of the three classes fall in the week: 2 of 3 and 1 of 3 attended.
    expect(digest!.text).toContain('Clases realizadas: 2. Asistencia de la semana: 50 %.');
    expect(digest!.text).toContain('María Gómez (maria.estudiante): 66,7 % de asistencia, 1 ausencia, aún puede faltar a 0 clases');
    expect(digest!.text).toContain('José Núñez (jose.estudiante): 0 % de asistencia, 3 ausencias');
    expect(to('rosa.docente@example.edu')[0]!.text).toContain('Hola, Rosa Fuentes:');
    expect(to('diego.ayudante@example.edu')).toEqual([]);
    expect(received.some((m) => m.to.includes('luis.estudiante@example.edu')) && !atRisk.includes('2')).toBe(false);
  });

  it('never warns a student twice for the same course and term, nor sends a week’s digest twice, when the job runs again', async () => {
    const before = (await smtp!.received()).length;
    // The next hour: student warnings are due again.
    await service.db.query(`UPDATE notifications.job_runs SET finished_at = finished_at - interval '1 day'`);
    expect(await service.app.mail.runOnce()).toMatchObject({ warningsSent: 0, digestsSent: 0, failed: 0 });
    // Even if the week's run were forgotten, the digest already sent is not sent again.
    await service.db.query(`DELETE FROM notifications.job_runs`);
    expect(await service.app.mail.runOnce()).toMatchObject({ warningsSent: 0, digestsSent: 0, failed: 0 });
    expect(await smtp!.received()).toHaveLength(before);
  });

  it('runs on one instance at a time: a run while another holds the lock does nothing', async () => {
    await service.db.transaction(async (tx) => {
      await takeLock(tx, locks.mail);
      expect(await service.app.mail.runOnce()).toBeNull();
    });
    expect(await service.app.mail.runOnce()).not.toBeNull();
  });

  it('an admin may run it now (POST /api/admin/mail/run): nothing is due twice; others get 403, a body 400', async () => {
    const before = (await smtp!.received()).length;
    const admin = apiAs(service.baseUrl, users.admin);
    const ran = await admin.post('/api/admin/mail/run');
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body).toEqual({ enabled: true, ran: true, counts: { warningsSent: 0, digestsSent: 0, withoutAddress: 0, failed: 0, capped: false } });
    expect((await admin.call('POST', '/api/admin/mail/run')).status).toBe(200);
    expect((await teacher().post('/api/admin/mail/run')).status).toBe(403);
    expect((await apiAs(service.baseUrl, users.student).post('/api/admin/mail/run')).status).toBe(403);
    expect((await admin.post('/api/admin/mail/run', { force: true })).status).toBe(400);
    expect(await smtp!.received()).toHaveLength(before);
  });

  it('with SMTP_URL unset, e-mail is off: a run sends and records nothing', async () => {
    await service.db.query('DELETE FROM notifications.sent_mail');
    await service.db.query('DELETE FROM notifications.job_runs');
    const before = (await smtp!.received()).length;
    const off = await startService({ database, env: { TIME_ZONE } });
    try {
      expect(off.app.mail.enabled).toBe(false);
      expect(await off.app.mail.runOnce()).toBeNull();
      const ran = await apiAs(off.baseUrl, users.admin).post('/api/admin/mail/run');
      expect(ran.body).toEqual({ enabled: false, ran: false, counts: null });
    } finally {
      await off.stop();
    }
    expect(await sentRows()).toEqual([]);
    expect(await smtp!.received()).toHaveLength(before);
  });

  it('sends at most MAIL_MAX_PER_RUN messages a run: the next runs send the rest, none twice', async () => {
    const before = (await smtp!.received()).length;
    // A warning per student at risk, and the digest to the teacher and to the co-teacher.
    const owed = (await teacher().get('/api/courses/MAT101/at-risk')).body.students.length + 2;
    const capped = await startService({
      database,
      env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SMTP_FROM: 'asistencia@example.edu', MAIL_MAX_PER_RUN: '1', TIME_ZONE },
    });
    try {
      const sent: number[] = [];
      for (let run = 0; run <= owed; run += 1) {
        const counts = await capped.app.mail.runOnce();
        sent.push(counts!.warningsSent + counts!.digestsSent);
      }
      expect(sent).toEqual([...Array<number>(owed).fill(1), 0]);
    } finally {
      await capped.stop();
    }
    expect((await smtp!.received()).length - before).toBe(owed);
    expect(await sentRows()).toHaveLength(owed);
  });

  it('leaves alone a course with no class held in MAIL_COURSE_ACTIVE_DAYS (a past term)', async () => {
    await service.db.query('DELETE FROM notifications.sent_mail');
    await service.db.query('DELETE FROM notifications.job_runs');
    await service.db.query(`UPDATE attendance.sessions SET planned_start = planned_start - interval '60 days', planned_end = planned_end - interval '60 days'`);
    expect(await service.app.mail.runOnce()).toMatchObject({ warningsSent: 0, digestsSent: 0, failed: 0 });
    expect(await sentRows()).toEqual([]);
  });
});
