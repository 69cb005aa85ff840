import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiptTools, receiptRetention } from '../../src/modules/evidence/index.js';
import { createRetention } from '../../src/modules/privacy/index.js';
import { apiAs } from '../support/api.js';
import type { Phone } from '../support/phone.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { enrolledPhone, liveSession, scanner } from '../scan/support.js';
import { libreOfficeOpensCsv, parseCsv } from '../support/csv.js';

/**
 * The students' rights over their data (docs/privacy.md): access and portability for themselves, admin
 * reads audited, erasure that keeps the counts, retention with a test clock. Each defence was checked once
 * against its removal (noted on each test).
 */
let service: RunningService;
let luis: Phone;
let maria: Phone;
let sessionId: string;
const DAY = 24 * 60 * 60 * 1000;

async function download(path: string, user: { sub: string; role: string; name: string }) {
  const response = await fetch(`${service.baseUrl}/asistencia${path}`, { headers: { authorization: `Bearer ${await portalToken(user)}` } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

const sessionCounts = async () =>
  (
    await service.db.query(
      `SELECT (SELECT count(*)::int FROM attendance.validations WHERE session_id = $1) AS validations,
              (SELECT count(*)::int FROM attendance.results WHERE session_id = $1 AND rounds_confirmed > 0) AS confirmed_results,
              (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM attendance.results WHERE session_id = $1 GROUP BY status) s) AS by_status,
              (SELECT count(*)::int FROM attendance.registrations WHERE session_id = $1) AS registrations`,
      [sessionId],
    )
  ).rows[0];

beforeAll(async () => {
  service = await startService({ env: { RECEIPTS_SEAL_INTERVAL_MS: '0' } });
  luis = await enrolledPhone(service, users.student);
  maria = await enrolledPhone(service, users.student2);
  const session = await liveSession(service);
  sessionId = session.id;
  const { token } = await session.screen();
  expect((await scanner(service).scan(token, luis)).status).toBe(200);
  expect((await scanner(service).scan(token, maria)).status).toBe(200);
  await session.teacher.post(`/api/sessions/${sessionId}/close`);
  const corrected = await session.teacher.post(`/api/sessions/${sessionId}/students/4/correction`, { status: 'excused', reason: 'Certificado médico' });
  expect(corrected.status).toBe(200);
  session.close();
});
afterAll(() => service?.stop());

describe("a student's own data", () => {
  it('holds exactly their identity, device with its history, confirmation with its receipt and result, and nobody else’s', async () => {
    const answer = await download('/api/me/data', users.student);
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/json/);
    const data = JSON.parse(answer.text);
    expect(data.identity).toEqual({ studentId: '2', namesOnRosters: ['Luis Pérez'] });
    expect(data.devices).toHaveLength(1);
    expect(data.devices[0].credentialId).toBe(luis.credentials()[0]!.id);
    expect(data.devices[0].history.map((h: { action: string }) => h.action)).toContain('enrolled');
    expect(data.confirmations).toHaveLength(1);
    expect(data.confirmations[0]).toMatchObject({ sessionId, round: 1, receipt: { sessionId, evidence: { studentId: '2', credentialId: luis.credentials()[0]!.id } } });
    expect(data.results).toEqual([expect.objectContaining({ sessionId, status: 'present', roundsConfirmed: 1 })]);
    expect(data.corrections).toEqual([]);
    // Nobody else's: María's credential, phone key and name, José's correction.
    expect(answer.text).not.toContain(maria.credentials()[0]!.id);
    expect(answer.text).not.toContain(maria.phoneKey.publicKey);
    expect(answer.text).not.toMatch(/María|Gómez|Certificado/);
  });

  it('a student with a correction sees it, and the CSV form has a row per thing held', async () => {
    const jose = JSON.parse((await download('/api/me/data', users.student3)).text);
    expect(jose.corrections).toEqual([expect.objectContaining({ sessionId, newStatus: 'excused', reason: 'Certificado médico' })]);
    const csv = await download('/api/me/data?format=csv', users.student);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
    expect(rows[0]).toEqual(['sección', 'elemento', 'campo', 'valor']);
    expect(new Set(rows.map(([section]) => section))).toEqual(
      new Set(['sección', 'exportación', 'identidad', 'dispositivo', 'historial del dispositivo', 'confirmación', 'resultado']),
    );
    expect(csv.text).not.toContain(maria.credentials()[0]!.id);
    // Readable: one value per cell, never a JSON blob, and the confirmation's time in Santiago’s clock.
    expect(rows.some(([, , , value]) => value?.startsWith('{'))).toBe(false);
    const json = JSON.parse((await download('/api/me/data', users.student)).text);
    const confirmedAt = new Date(json.confirmations[0].validatedAt);
    const santiago = new Intl.DateTimeFormat('sv-SE', { timeZone: 'America/Santiago', dateStyle: 'short', timeStyle: 'medium' }).format(confirmedAt);
    expect(rows).toContainEqual(['confirmación', '1', 'validatedAt', santiago]);
    // Opened by LibreOffice set to es-CL, the time is a date cell holding that wall-clock time.
    const opened = await libreOfficeOpensCsv(Buffer.from(csv.text, 'utf8'), 'es-CL');
    const cell = opened.find((row) => row[0] === 'confirmación' && row[2] === 'validatedAt')?.[3];
    expect(cell).toBeInstanceOf(Date);
    expect((cell as Date).toISOString().replace('T', ' ').slice(0, 19)).toBe(santiago);
    // In English: `,` and English names.
    const english = await fetch(`${service.baseUrl}/asistencia/api/me/data?format=csv`, {
      headers: { authorization: `Bearer ${await portalToken(users.student)}`, 'accept-language': 'en' },
    });
    expect(parseCsv((await english.text()).replace(/^\uFEFF/, ''), ',')[0]).toEqual(['section', 'item', 'field', 'value']);
   }, 120_000); // LibreOffice starts in 5–60 s

  it('is for students only; nobody reaches another student’s data through it', async () => {
    expect((await download('/api/me/data', users.teacher)).status).toBe(403);
    expect((await download('/api/admin/students/3/data', users.student)).status).toBe(403);
    expect((await download('/api/admin/students/3/data', users.teacher)).status).toBe(403);
  });
});

describe('an admin reading a student’s data', () => {
  it('is audited on every read, JSON or CSV (checked once: red without auditRead)', async () => {
    const before = await service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM privacy.audit WHERE action = 'read' AND subject_id = '3'`);
    const json = await download('/api/admin/students/3/data', users.admin);
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text).identity.studentId).toBe('3');
    expect((await download('/api/admin/students/3/data?format=csv', users.admin)).status).toBe(200);
    const { rows } = await service.db.query(`SELECT actor_id, actor_role FROM privacy.audit WHERE action = 'read' AND subject_id = '3' ORDER BY id`);
    expect(rows.length - before.rows[0]!.n).toBe(2);
    expect(rows.at(-1)).toEqual({ actor_id: '5', actor_role: 'admin' });
  });

  it('of a student the service does not know answers 404, and the attempt is audited too', async () => {
    expect((await download('/api/admin/students/nadie/data', users.admin)).status).toBe(404);
    const { rows } = await service.db.query(`SELECT count(*)::int AS n FROM privacy.audit WHERE subject_id = 'nadie'`);
    expect(rows[0]!.n).toBe(1);
  });
});

describe('erasure', () => {
  it('is for admins, with a reason', async () => {
    expect((await apiAs(service.baseUrl, users.teacher).post('/api/admin/students/3/erasure', { reason: 'Solicitud del estudiante' })).status).toBe(403);
    expect((await apiAs(service.baseUrl, users.admin).post('/api/admin/students/3/erasure', {})).status).toBe(400);
  });

  it('deletes devices and receipts, keeps the session’s counts under an anonymous id, and keeps the chain verifiable (checked once: red without the registration anonymising)', async () => {
    // A warning by e-mail was sent to her: its record names her.
    await service.db.query(`INSERT INTO notifications.sent_mail (kind, recipient_id, course_id, period) VALUES ('student_at_risk', '3', 'MAT101', '2026-H2')`);
    const before = await sessionCounts();
    const answer = await apiAs(service.baseUrl, users.admin).post('/api/admin/students/3/erasure', { reason: 'Solicitud del estudiante (Ley 21.719)' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const anonymousId = answer.body.anonymousId as string;
    expect(anonymousId).toMatch(/^erased-/);

    expect(await sessionCounts()).toEqual(before);
    const left = await service.db.query(
      `SELECT (SELECT count(*)::int FROM enrollment.devices WHERE student_id = '3') AS devices,
              (SELECT count(*)::int FROM enrollment.enrollment_history WHERE student_id = '3') AS history,
              (SELECT count(*)::int FROM evidence.receipts WHERE student_id = '3' OR credential_id = $1) AS receipts,
              (SELECT count(*)::int FROM attendance.registrations WHERE student_id = '3' OR student_name LIKE '%María%') AS registrations,
              (SELECT count(*)::int FROM attendance.results WHERE student_id = $2) AS anonymous_results,
              (SELECT count(*)::int FROM privacy.audit WHERE subject_id = '3') AS audit_naming,
              (SELECT count(*)::int FROM notifications.sent_mail WHERE recipient_id = '3') AS sent_mail`,
      [maria.credentials()[0]!.id, anonymousId],
    );
    expect(left.rows[0]).toEqual({ devices: 0, history: 0, receipts: 0, registrations: 0, anonymous_results: 1, audit_naming: 0, sent_mail: 0 });

    const erasure = await service.db.query(`SELECT actor_id, actor_role, reason, subject_id FROM privacy.audit WHERE action = 'erased'`);
    expect(erasure.rows).toEqual([{ actor_id: '5', actor_role: 'admin', reason: 'Solicitud del estudiante (Ley 21.719)', subject_id: anonymousId }]);
    expect((await createReceiptTools(service.db).verifier.verify({ sessionId })).problems).toEqual([]);
    expect((await download('/api/admin/students/3/data', users.admin)).status).toBe(404);
    expect((await apiAs(service.baseUrl, users.admin).post('/api/admin/students/3/erasure', { reason: 'otra vez' })).status).toBe(404);
  });

  it('leaves an erased student nameless, out of the standings and no longer corrected (checked once: red without isErasedId in standings, and without the prefix in the spot check’s candidates)', async () => {
    const teacher = apiAs(service.baseUrl, users.teacher);
    const overview = await teacher.get(`/api/sessions/${sessionId}`);
    const erased = overview.body.roster.filter((r: { erased: boolean }) => r.erased);
    expect(erased).toHaveLength(1);
    const anonymousId = erased[0].studentId as string;
    expect(anonymousId).toMatch(/^erased-/);
    expect(overview.body.roster.filter((r: { erased: boolean }) => !r.erased).every((r: { studentId: string }) => !r.studentId.startsWith('erased-'))).toBe(true);

    const course = await teacher.get('/api/courses/MAT101/attendance');
    expect(course.status).toBe(200);
    expect(course.body.students.map((s: { studentId: string }) => s.studentId)).not.toContain(anonymousId);
    // Her class still counts in the session's totals.
    expect(course.body.sessions.find((s: { id: string }) => s.id === sessionId).registered).toBe(3);

    const corrected = await teacher.post(`/api/sessions/${sessionId}/students/${anonymousId}/correction`, { status: 'excused', reason: 'Certificado' });
    expect(corrected.status).toBe(409);
    expect(corrected.body.error.code).toBe('CORRECTION_STUDENT_ERASED');
    expect((await teacher.post(`/api/sessions/${sessionId}/corrections`, { studentIds: ['2', anonymousId], status: 'excused', reason: 'Certificado' })).status).toBe(409);

    // Nobody calls an erased student at random: Luis alone is drawn, though both confirmed.
    const drawn = await teacher.post(`/api/sessions/${sessionId}/spot-checks`, { count: 5 });
    expect(drawn.status, JSON.stringify(drawn.body)).toBe(201);
    expect(drawn.body.calls.map((c: { studentId: string }) => c.studentId)).toEqual(['2']);

    const csv = await download(`/api/sessions/${sessionId}/export?format=csv`, users.teacher);
    expect(csv.text).toContain(';Estudiante eliminado;');
    expect(csv.text).not.toContain(anonymousId);
  });
});

describe('retention (a test clock)', () => {
  const job = (at: number, counts: unknown[]) =>
    createRetention({
      db: service.db,
      evidence: { pruneReceipts: receiptRetention.pruneBefore },
      settings: { clientAddressMs: 30 * DAY, receiptsMs: 400 * DAY },
      now: () => new Date(at),
      log: (c) => counts.push(c),
    });
  const addresses = async () =>
    (await service.db.query(`SELECT count(*)::int AS n FROM attendance.validations WHERE client_address IS NOT NULL`)).rows[0]!.n;

  it('keeps client addresses until RETENTION_CLIENT_ADDRESS_DAYS, then nulls them; once a day at most; logs counts (checked once: red without NULL_ADDRESSES)', async () => {
    const logged: unknown[] = [];
    // A shared_device alert's evidence names client networks too (scan/domain/sharing.ts): on the device and in its history.
    const [device] = (await apiAs(service.baseUrl, users.student).get('/api/enrollment/devices')).body.devices;
    const evidence = JSON.stringify({ kind: 'two_places', uses: [{ network: '198.51.100.9', at: '2026-03-02T10:00:00Z' }, { network: '203.0.113.9', at: '2026-03-02T10:01:00Z' }] });
    await service.db.query(`INSERT INTO enrollment.device_alerts (device_id, reason, details) VALUES ($1, 'shared_device', $2::jsonb)`, [device.id, evidence]);
    await service.db.query(
      `INSERT INTO enrollment.enrollment_history (student_id, device_id, action, actor_id, actor_role, reason, details)
       VALUES ($1, $2, 'alerted', 'asistencia', 'system', 'shared_device', $3::jsonb)`,
      [users.student.sub, device.id, evidence],
    );
    const sharedUses = async () =>
      (await service.db.query(`SELECT details->'uses' AS uses FROM enrollment.device_alerts WHERE device_id = $1 AND reason = 'shared_device'`, [device.id])).rows[0]!.uses;

    expect(await addresses()).toBeGreaterThan(0);
    expect(await job(Date.now() + 29 * DAY, logged).runOnce()).toEqual({ clientAddressesNulled: 0, sharingNetworksErased: 0, receiptsPruned: 0 });
    expect(await addresses()).toBeGreaterThan(0);
    expect(await job(Date.now() + 29 * DAY + 60_000, logged).runOnce()).toBeNull();
    expect(await job(Date.now() + 31 * DAY, logged).runOnce()).toEqual({ clientAddressesNulled: 1, sharingNetworksErased: 2, receiptsPruned: 0 });
    expect(await addresses()).toBe(0);
    // The evidence keeps its times, without the networks (checked once: red without ERASE_SHARING_NETWORKS).
    expect(await sharedUses()).toEqual([{ at: '2026-03-02T10:00:00Z' }, { at: '2026-03-02T10:01:00Z' }]);
    expect(logged).toHaveLength(2);
  });

  it('prunes receipts after RETENTION_RECEIPTS_DAYS and keeps each chain head, so the chain still verifies', async () => {
    await createReceiptTools(service.db).sealer.sealPending();
    expect(await job(Date.now() + 401 * DAY, []).runOnce()).toMatchObject({ receiptsPruned: 2 });
    const { rows } = await service.db.query('SELECT sealed_count, pruned_count FROM evidence.chain_heads WHERE session_id = $1', [sessionId]);
    expect(rows[0]).toEqual({ sealed_count: 2, pruned_count: 2 });
    expect(await createReceiptTools(service.db).verifier.verify({ sessionId })).toEqual({ sessions: 1, receipts: 0, problems: [] });
  });
});
