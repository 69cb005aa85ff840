import { randomBytes } from 'node:crypto';
import { SOFT_AUTHENTICATOR_AAGUID } from '../support/authenticator.js';
import type { Phone } from '../support/phone.js';
import type { RunningService } from '../support/service.js';
import { phoneFor, type TestUser } from './support.js';

/** The name the enrolment page sends when the student gives none (registration.ts, DEFAULT_DEVICE_NAME). */
const DEFAULT_DEVICE_NAME = 'Llave de acceso';
/** What the soft authenticator's registration says it supports, as the ceremony then stores it. */
const TRANSPORTS = ['internal', 'hybrid'];

/**
 * The device rows and 'enrolled' history rows an enrolment through the API writes, for many students in one
 * statement: what a test needs when enrolment is not its subject (a crowd of 200 enrolled phones took 200
 * registration ceremonies). The columns are those of enrollment/infrastructure/device-repository.ts's
 * INSERT_DEVICE and INSERT_HISTORY with the values the ceremony gives a soft authenticator's passkey
 * (attestation 'none', not backup eligible, counter 0); seeded-phones.test.ts compares both row for row
 * with an enrolment through the API, so the two cannot drift apart unseen.
 */
export async function seedEnrolledPhones(service: RunningService, students: readonly TestUser[]): Promise<Phone[]> {
  const rpId = service.config.publicUrl.hostname;
  const phones = students.map((student) => {
    const phone = phoneFor(service);
    phone.register({
      challenge: randomBytes(32).toString('base64url'),
      rp: { id: rpId, name: 'Asistencia' },
      user: { id: Buffer.from(student.sub, 'utf8').toString('base64url'), name: student.sub, displayName: student.name },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    return phone;
  });
  const credentials = phones.map((phone) => phone.credentials()[0]!);
  await service.db.query(SEED_PHONES, [
    credentials.map((credential) => credential.id),
    credentials.map((credential) => Buffer.from(credential.publicKeyCose)),
    students.map((student) => student.sub),
    phones.map((phone) => phone.phoneKey.id),
    phones.map((phone) => Buffer.from(phone.phoneKey.publicKey, 'base64url')),
    TRANSPORTS,
    SOFT_AUTHENTICATOR_AAGUID,
    DEFAULT_DEVICE_NAME,
  ]);
  return phones;
}

const SEED_PHONES = `
  WITH seeded AS (
    INSERT INTO enrollment.devices
      (credential_id, public_key, sign_count, transports, aaguid, backup_eligible, backed_up, student_id, friendly_name,
       phone_key_id, phone_public_key, phone_key_bound_at, attestation_format, attestation_verified)
    SELECT credential_id, public_key, 0, $6::text[], $7::uuid, false, false, student_id, $8, phone_key_id, phone_public_key, now(), 'none', false
    FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[], $5::bytea[])
      AS seed(credential_id, public_key, student_id, phone_key_id, phone_public_key)
    RETURNING id, student_id, credential_id, phone_key_id
  )
  INSERT INTO enrollment.enrollment_history (student_id, device_id, action, actor_id, actor_role, reason, details)
  SELECT student_id, id, 'enrolled', student_id, 'student', NULL,
    jsonb_build_object('credentialId', credential_id, 'aaguid', $7::text, 'attestation', jsonb_build_object('format', 'none', 'verified', false),
                       'name', $8::text, 'phoneKeyId', phone_key_id)
  FROM seeded`;
