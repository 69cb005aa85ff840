import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../support/api.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { deviceRows, enrollment, expectRefusal, freshStudent, historyRows, phoneFor } from './support.js';

/**
 * The enrolment policy, with the default settings: one device at a time, and a cooldown that grows with
 * each replacement (free, 30 min, 6 h, then 24 h) until an admin resets it. Refusals say what to do and when.
 */
let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

/** Moves the student's history back in time, as if the last enrolment happened `minutes` earlier. */
async function travel(target: RunningService, studentId: string, minutes: number): Promise<void> {
  await target.db.query(
    `UPDATE enrollment.enrollment_history SET occurred_at = occurred_at - make_interval(mins => $2) WHERE student_id = $1`,
    [studentId, minutes],
  );
}

/** Enrols a new phone, then revokes it with its passkey (as a student replacing a phone does). */
async function enrolAndRevoke(client: ReturnType<typeof enrollment>): Promise<void> {
  const phone = phoneFor(service);
  await client.revokeWith(phone, (await client.enroll(phone)).id);
}

describe('device limit (ENROLLMENT_MAX_DEVICES=1)', () => {
  it('refuses a second device before the ceremony, saying to revoke the first', async () => {
    const client = enrollment(service, freshStudent());
    await client.enroll(phoneFor(service));

    const refused = await client.options();
    expectRefusal(refused, 409, 'ENROLLMENT_DEVICE_LIMIT_REACHED');
    expect(refused.body.error.message).toBe(
      'Ya tienes 1 dispositivo(s) activo(s) y el máximo es 1. Revoca en esta página el que ya no uses (o pide ayuda a administración) y vuelve a registrar.',
    );
  });

  it('is checked again when the response arrives (a device enrolled meanwhile elsewhere)', async () => {
    const student = freshStudent();
    const client = enrollment(service, student);
    const options = await client.grantedOptions();
    await service.db.query(
      `INSERT INTO enrollment.devices (credential_id, public_key, student_id, friendly_name) VALUES ($1, '\\x00', $2, 'otro')`,
      [`meanwhile-${student.sub}`, student.sub],
    );

    expectRefusal(await client.verify(phoneFor(service).register(options)), 409, 'ENROLLMENT_DEVICE_LIMIT_REACHED');
    expect(await deviceRows(service, student.sub)).toHaveLength(1);
  });

  it('counts a flagged device as in use', async () => {
    const student = freshStudent();
    const client = enrollment(service, student);
    const device = await client.enroll(phoneFor(service));
    await service.db.query(`UPDATE enrollment.devices SET state = 'flagged' WHERE id = $1`, [device.id]);
    expectRefusal(await client.options(), 409, 'ENROLLMENT_DEVICE_LIMIT_REACHED');
  });
});

describe('cooldown (ENROLLMENT_COOLDOWN_MINUTES=0,30,360,1440)', () => {
  it('grows with each replacement, says when in the refusal, and an admin reset clears it', async () => {
    const student = freshStudent();
    const client = enrollment(service, student);

    await enrolAndRevoke(client);
    const wait30 = await client.options();
    expectRefusal(wait30, 429, 'ENROLLMENT_COOLDOWN_ACTIVE');
    expect(wait30.body.error.message).toMatch(/^Registraste dispositivos hace poco y, por seguridad, hay una espera: podrás registrar otro a partir del \S+, \d{1,2} \S+ \d{4}, \d\d:\d\d \(America\/Santiago\) \(dentro de (30|29) min\)\. Para la clase de hoy, pide a tu docente que registre tu asistencia; si perdiste el teléfono/);
    expect(wait30.body.error.details.waitMinutes).toBeGreaterThanOrEqual(29);
    // The time is told in the institution's zone (TIME_ZONE), not UTC, in each language's date style (the pages').
    const retryAt = new Date(wait30.body.error.details.retryAt);
    const told = (locale: string) => {
      const date = retryAt.toLocaleDateString(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'America/Santiago' });
      const time = retryAt.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'America/Santiago' });
      return `${date}, ${time} (America/Santiago)`;
    };
    expect(wait30.body.error.message).toContain(`a partir del ${told('es-CL')} (dentro de`);
    expect(wait30.body.error.messages.es).toBe(wait30.body.error.message);
    expect(wait30.body.error.messages.en).toContain(`you can enrol another from ${told('en-GB')} (in`);
    const overview = (await client.devices()).body;
    expect(overview.policy).toMatchObject({ maxDevices: 1, devicesInUse: 0, enrollmentsSinceReset: 1 });
    expect(Date.parse(overview.policy.nextEnrollmentAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(overview.policy.nextEnrollmentAt).toBe(wait30.body.error.details.retryAt);

    await travel(service, student.sub, 31);
    await enrolAndRevoke(client);
    const wait6h = await client.options();
    expectRefusal(wait6h, 429, 'ENROLLMENT_COOLDOWN_ACTIVE');
    expect(wait6h.body.error.message).toMatch(/\(dentro de (6 h|5 h 59 min)\)/);

    await travel(service, student.sub, 361);
    await enrolAndRevoke(client);
    expect((await client.options()).body.error.message).toMatch(/\(dentro de (1 d|23 h 59 min)\)/);
    await travel(service, student.sub, 1441);
    await enrolAndRevoke(client);
    expect((await client.options()).body.error.message).toMatch(/\(dentro de (1 d|23 h 59 min)\)/);

    const admin = apiAs(service.baseUrl, users.admin);
    const reset = await admin.post('/api/admin/devices/reset', { studentId: student.sub, reason: 'perdió el teléfono; verificado en secretaría' });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.policy).toEqual({ maxDevices: 1, devicesInUse: 0, enrollmentsSinceReset: 0, nextEnrollmentAt: null });
    // After a reset the sequence starts over: the next replacement waits 30 minutes again.
    await enrolAndRevoke(client);
    expect((await client.options()).body.error.message).toMatch(/\(dentro de (30|29) min\)/);

    expect((await historyRows(service, student.sub)).map((row) => `${row.action}:${row.actor_role}`)).toEqual([
      'enrolled:student', 'revoked:student',
      'enrolled:student', 'revoked:student',
      'enrolled:student', 'revoked:student',
      'enrolled:student', 'revoked:student',
      'reset:admin',
      'enrolled:student', 'revoked:student',
    ]);
  });

  it('answers the refusal in English with the same time, in the English date style', async () => {
    const student = freshStudent();
    const client = enrollment(service, student);
    await enrolAndRevoke(client);
    const answer = await fetch(`${service.baseUrl}/asistencia/api/enrollment/options`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await portalToken(student)}`, 'accept-language': 'en-GB,en;q=0.9' },
    });
    const body = (await answer.json()) as { error: { message: string } };
    expect(answer.status).toBe(429);
    expect(body.error.message).toMatch(/^You enrolled devices recently and, for security, there is a wait: you can enrol another from [A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2,3} \d{4}, \d\d:\d\d \(America\/Santiago\) \(in (30|29) min\)\. For today’s class, ask your teacher/);
  });
});

describe('more than one device (ENROLLMENT_MAX_DEVICES=2, no cooldown)', () => {
  let roomy: RunningService;
  beforeAll(async () => {
    roomy = await startService({ env: { ENROLLMENT_MAX_DEVICES: '2', ENROLLMENT_COOLDOWN_MINUTES: '0' } });
  });
  afterAll(() => roomy?.stop());

  it('excludes the devices already enrolled, so the same authenticator cannot enrol twice', async () => {
    const client = enrollment(roomy, freshStudent());
    const phone = phoneFor(roomy);
    const device = await client.enroll(phone);

    const options = await client.grantedOptions(phone);
    expect(options.excludeCredentials).toEqual([{ id: device.credentialId, type: 'public-key', transports: ['internal', 'hybrid'] }]);
    expect(() => phone.register(options)).toThrow(/InvalidStateError/);
    expect((await client.verify(phoneFor(roomy).register(options))).status).toBe(201);
    expectRefusal(await client.options(), 409, 'ENROLLMENT_DEVICE_LIMIT_REACHED');
  });
});

// The AAGUID allow-list counts an AAGUID only inside a verified attestation: test/enrollment/attestation.test.ts.
