import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSession, scanner } from '../scan/support.js';
import type { Phone } from '../support/phone.js';
import { startService, type RunningService } from '../support/service.js';
import { seedEnrolledPhones } from './seeded-phones.js';
import { enrollment, freshStudent, phoneFor, type TestUser } from './support.js';

/**
 * Tests whose subject is not enrolment (a crowd scanning through a fault) seed their enrolled phones with
 * seedEnrolledPhones instead of running a registration ceremony per phone. That is only honest while the seed
 * writes what an enrolment through the API writes: this compares the two, row for row.
 */
let service: RunningService;
let enrolled: { student: TestUser; phone: Phone };
let seeded: { student: TestUser; phone: Phone };

beforeAll(async () => {
  service = await startService();
  enrolled = { student: freshStudent('Por la API'), phone: phoneFor(service) };
  await enrollment(service, enrolled.student).enroll(enrolled.phone);
  const student = freshStudent('Sembrada');
  seeded = { student, phone: (await seedEnrolledPhones(service, [student]))[0]! };
});
afterAll(() => service?.stop());

/** Every column of the student's devices, the ones that name this student, passkey or phone replaced by what they should be. */
async function deviceOf({ student, phone }: { student: TestUser; phone: Phone }) {
  const { rows } = await service.db.query<Record<string, unknown>>(
    `SELECT *, aaguid::text AS aaguid, (SELECT count(*)::int FROM enrollment.device_alerts a WHERE a.device_id = d.id) AS alerts
     FROM enrollment.devices d WHERE student_id = $1`,
    [student.sub],
  );
  expect(rows).toHaveLength(1);
  const { id, created_at: createdAt, phone_key_bound_at: boundAt, ...row } = rows[0]!;
  const credential = phone.credentials()[0]!;
  expect(typeof id).toBe('number');
  expect(createdAt).toBeInstanceOf(Date);
  expect(boundAt).toEqual(createdAt);
  expect(row).toMatchObject({
    credential_id: credential.id,
    public_key: Buffer.from(credential.publicKeyCose),
    student_id: student.sub,
    phone_key_id: phone.phoneKey.id,
    phone_public_key: Buffer.from(phone.phoneKey.publicKey, 'base64url'),
  });
  return { ...row, credential_id: '(its passkey)', public_key: '(its passkey)', student_id: '(the student)', phone_key_id: '(its phone)', phone_public_key: '(its phone)' };
}

async function historyOf({ student, phone }: { student: TestUser; phone: Phone }) {
  const { rows } = await service.db.query<Record<string, unknown>>(
    `SELECT h.*, d.credential_id FROM enrollment.enrollment_history h LEFT JOIN enrollment.devices d ON d.id = h.device_id
     WHERE h.student_id = $1 ORDER BY h.id`,
    [student.sub],
  );
  return rows.map(({ id, occurred_at: occurredAt, device_id: deviceId, credential_id: credentialId, ...row }) => {
    expect([typeof id, occurredAt instanceof Date, typeof deviceId, credentialId]).toEqual(['number', true, 'number', phone.credentials()[0]!.id]);
    const details = row.details as Record<string, unknown>;
    expect(details).toMatchObject({ credentialId, phoneKeyId: phone.phoneKey.id });
    return {
      ...row,
      student_id: '(the student)',
      actor_id: row.actor_id === student.sub ? '(the student)' : row.actor_id,
      details: { ...details, credentialId: '(its passkey)', phoneKeyId: '(its phone)' },
    };
  });
}

describe('a seeded enrolled phone', () => {
  it('has the device row an enrolment through the API writes', async () => {
    expect(await deviceOf(seeded)).toEqual(await deviceOf(enrolled));
  });

  it('has the history an enrolment through the API writes', async () => {
    const history = await historyOf(enrolled);
    expect(history).toHaveLength(1);
    expect(await historyOf(seeded)).toEqual(history);
  });

  it('confirms a scan, as an enrolled phone does', async () => {
    // Fresh students are on no course's roster: the session flags them instead of refusing.
    const session = await liveSession(service, { rosterPolicy: 'flag' });
    try {
      const answer = await scanner(service).scan((await session.screen()).token, seeded.phone);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.outcome).toBe('confirmed');
    } finally {
      session.close();
    }
  });
});
