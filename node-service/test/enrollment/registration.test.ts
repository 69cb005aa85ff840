import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { SOFT_AUTHENTICATOR_AAGUID, type SoftAuthenticator } from '../support/authenticator.js';
import { keystore } from '../../src/shared/keystore.js';
import { startService, type RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { deviceRows, enrollment, expectRefusal, freshStudent, historyRows, phoneFor, phoneKeyProof } from './support.js';

/**
 * Enrolling a passkey: real service, real PostgreSQL and Valkey, real WebAuthn responses from a software
 * authenticator. Every defect is refused with its own code, spends the challenge, and stores nothing.
 */
let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

describe('registration options', () => {
  it('ask for a discoverable, user-verified passkey of this RP, with a user handle that is the student id', async () => {
    const student = freshStudent('Opciones');
    const options = await enrollment(service, student).grantedOptions();

    expect(options.rp).toEqual({ name: 'Asistencia', id: 'localhost' });
    expect(Buffer.from(options.user.id, 'base64url').toString('utf8')).toBe(student.sub);
    expect(options.user.name).toBe(student.name);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
    expect(options.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual([-8, -7, -257]);
    expect(options.attestation).toBe('none');
    expect(options.excludeCredentials).toEqual([]);
    expect(options.timeout).toBe(300_000);
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    const again = await enrollment(service, student).grantedOptions();
    expect(again.user.id).toBe(options.user.id);
    expect(again.challenge).not.toBe(options.challenge);
  });

  it('are only for signed-in students', async () => {
    const anonymous = await fetch(`${service.baseUrl}/asistencia/api/enrollment/options`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    for (const user of [users.teacher, users.admin]) {
      expectRefusal(await enrollment(service, user).options(), 403, 'AUTH_ROLE_FORBIDDEN');
    }
  });
});

describe('enrolment', () => {
  it('stores the device with what the scan step needs, and an "enrolled" history row by the student', async () => {
    const student = freshStudent('Inscrita');
    const phone = phoneFor(service, { backupEligible: true, backedUp: true });
    const device = await enrollment(service, student).enroll(phone, '  Mi   Pixel  ');

    expect(device).toMatchObject({
      studentId: student.sub,
      name: 'Mi Pixel',
      state: 'active',
      credentialId: phone.credentials()[0]!.id,
      aaguid: SOFT_AUTHENTICATOR_AAGUID,
      transports: ['internal', 'hybrid'],
      backupEligible: true,
      backedUp: true,
      lastUsedAt: null,
      revokedAt: null,
    });
    const [row] = await deviceRows(service, student.sub);
    expect(row).toMatchObject({ credential_id: device.credentialId, sign_count: 0, state: 'active', friendly_name: 'Mi Pixel' });
    expect(Buffer.from(row!.public_key)).toEqual(Buffer.from(phone.credentials()[0]!.publicKeyCose));
    expect(await historyRows(service, student.sub)).toMatchObject([
      { device_id: device.id, action: 'enrolled', actor_id: student.sub, actor_role: 'student', reason: null, details: { credentialId: device.credentialId } },
    ]);
  });

  it('names the device "Llave de acceso" when the page sends no name', async () => {
    const device = await enrollment(service, freshStudent()).enroll(phoneFor(service));
    expect(device.name).toBe('Llave de acceso');
  });
});

describe('refusals: each with its own code, the challenge spent, nothing stored', () => {
  type Defect = [label: string, status: number, code: string, make: (phone: SoftAuthenticator, options: PublicKeyCredentialCreationOptionsJSON) => object];
  const defects: Defect[] = [
    ['a wrong origin', 400, 'ENROLLMENT_WRONG_ORIGIN', (phone, options) => phone.register(options, { origin: 'https://evil.example' })],
    ['a wrong RP id', 400, 'ENROLLMENT_WRONG_RP_ID', (phone, options) => phone.register(options, { rpId: 'evil.example' })],
    ['user verification missing', 400, 'ENROLLMENT_USER_NOT_VERIFIED', (phone, options) => phone.register(options, { userVerified: false })],
    ['user presence missing', 400, 'ENROLLMENT_USER_NOT_PRESENT', (phone, options) => phone.register(options, { userPresent: false })],
    ['an assertion instead of a registration', 400, 'ENROLLMENT_RESPONSE_MALFORMED', (phone, options) => phone.register(options, { type: 'webauthn.get' })],
    ['an unreadable attestation object', 400, 'ENROLLMENT_RESPONSE_MALFORMED', (phone, options) => {
      const response = phone.register(options);
      return { ...response, response: { ...response.response, attestationObject: 'bm90LWNib3I' } };
    }],
    ['an id that is not the raw id', 400, 'ENROLLMENT_RESPONSE_INVALID', (phone, options) => ({ ...phone.register(options), id: 'AAAA' })],
  ];

  it.each(defects)('%s', async (_label, status, code, make) => {
    const student = freshStudent();
    const client = enrollment(service, student);
    const options = await client.grantedOptions();
    const defective = make(phoneFor(service), options);

    expectRefusal(await client.verify(defective), status, code);
    // The attempt spent the challenge: even a flawless response to it is refused now.
    expectRefusal(await client.verify(phoneFor(service).register(options)), 409, 'ENROLLMENT_CHALLENGE_ALREADY_USED');
    expect(await deviceRows(service, student.sub)).toEqual([]);
    expect(await historyRows(service, student.sub)).toEqual([]);
  });

  it('a second use of a challenge', async () => {
    const student = freshStudent();
    const client = enrollment(service, student);
    const response = phoneFor(service).register(await client.grantedOptions());
    expect((await client.verify(response)).status).toBe(201);

    expectRefusal(await client.verify(response), 409, 'ENROLLMENT_CHALLENGE_ALREADY_USED');
    expect(await deviceRows(service, student.sub)).toHaveLength(1);
  });

  it('concurrent uses of one challenge: exactly one enrols, the others are told it was used', async () => {
    const student = freshStudent();
    const client = enrollment(service, student);
    const options = await client.grantedOptions();
    const answers = await Promise.all([1, 2, 3, 4].map(() => client.verify(phoneFor(service).register(options))));
    expect(answers.map((a) => a.body.error?.code ?? a.status).sort()).toEqual([
      201,
      'ENROLLMENT_CHALLENGE_ALREADY_USED',
      'ENROLLMENT_CHALLENGE_ALREADY_USED',
      'ENROLLMENT_CHALLENGE_ALREADY_USED',
    ]);
    expect(await deviceRows(service, student.sub)).toHaveLength(1);
  });

  it("another user's challenge, which stays good for its owner", async () => {
    const owner = enrollment(service, freshStudent('Dueña'));
    const intruder = enrollment(service, freshStudent('Intruso'));
    const ownersOptions = await owner.grantedOptions();
    await intruder.grantedOptions();

    expectRefusal(await intruder.verify(phoneFor(service).register(ownersOptions)), 403, 'ENROLLMENT_CHALLENGE_NOT_YOURS');
    expect((await intruder.devices()).body.devices).toEqual([]);
    expect((await owner.verify(phoneFor(service).register(ownersOptions))).status).toBe(201);
  });

  it('a challenge replaced by a newer one', async () => {
    const client = enrollment(service, freshStudent());
    const first = await client.grantedOptions();
    await client.grantedOptions();
    expectRefusal(await client.verify(phoneFor(service).register(first)), 409, 'ENROLLMENT_CHALLENGE_SUPERSEDED');
  });

  it('a challenge never issued', async () => {
    const client = enrollment(service, freshStudent());
    const options = await client.grantedOptions();
    const forged = phoneFor(service).register({ ...options, challenge: Buffer.from('never issued by the service').toString('base64url') });
    expectRefusal(await client.verify(forged), 410, 'ENROLLMENT_CHALLENGE_EXPIRED');
  });

  it('a body that is not a WebAuthn response is a 400, never a 500', async () => {
    const client = enrollment(service, freshStudent());
    await client.grantedOptions();
    expectRefusal(await client.verify({ id: 'x', rawId: 'x', type: 'public-key', response: {} }), 400, 'VALIDATION_FAILED');
    const garbage = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' }, clientExtensionResults: {} };
    expectRefusal(await client.verify(garbage), 400, 'ENROLLMENT_RESPONSE_MALFORMED');
  });

  it('speaks English when the page asks for it', async () => {
    const student = freshStudent();
    const options = await enrollment(service, student).grantedOptions();
    const answer = await fetch(`${service.baseUrl}/asistencia/api/enrollment/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await portalToken(student)}`, 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify((() => {
        const phone = phoneFor(service);
        const response = phone.register(options, { userVerified: false });
        return { response, phoneKey: phoneKeyProof(phone.phoneKey, 'enroll', response) };
      })()),
    });
    const body = (await answer.json()) as { error: { code: string; message: string } };
    const english = 'The device did not verify your identity (fingerprint, face or PIN). Turn on your phone screen lock and try again.';
    expect(body.error).toEqual({
      code: 'ENROLLMENT_USER_NOT_VERIFIED',
      message: english,
      messages: { es: expect.stringContaining('bloqueo de pantalla'), en: english },
    });
  });
});

describe('an expired challenge', () => {
  let shortLived: RunningService;
  beforeAll(async () => {
    shortLived = await startService({ env: { ENROLLMENT_CHALLENGE_TTL_SECONDS: '1' } });
  });
  afterAll(() => shortLived?.stop());

  it('lives ENROLLMENT_CHALLENGE_TTL_SECONDS in Valkey, and is refused as expired once gone', async () => {
    const student = freshStudent();
    const client = enrollment(shortLived, student);
    const options = await client.grantedOptions();
    expect(options.timeout).toBe(1000);
    // Valkey forgets the keys when their TTL runs out (the rule itself, on a moved clock:
    // challenge-store.test.ts); here the real keys carry the setting's TTL, and removing them is what
    // their expiry does.
    const keys = [keystore.enrollmentChallenge('enroll', student.sub), keystore.enrollmentChallengeOwner('enroll', options.challenge)];
    for (const key of keys) {
      expect(await shortLived.store.ttlMs(key)).toBeGreaterThan(0);
      expect(await shortLived.store.ttlMs(key)).toBeLessThanOrEqual(1000);
    }
    await shortLived.store.delete(...keys);

    expectRefusal(await client.verify(phoneFor(shortLived).register(options)), 410, 'ENROLLMENT_CHALLENGE_EXPIRED');
    expect(await deviceRows(shortLived, student.sub)).toEqual([]);
  });
});

describe('on the embedded stores (PGlite and the in-process store)', () => {
  let embedded: RunningService;
  beforeAll(async () => {
    embedded = await startService({ embedded: true });
  });
  afterAll(() => embedded?.stop());

  it('enrols, refuses a second use, and lists the device the same way', async () => {
    const student = freshStudent();
    const client = enrollment(embedded, student);
    const response = phoneFor(embedded).register(await client.grantedOptions());
    expect((await client.verify(response)).status).toBe(201);
    expectRefusal(await client.verify(response), 409, 'ENROLLMENT_CHALLENGE_ALREADY_USED');
    const overview = (await client.devices()).body;
    expect(overview.devices).toHaveLength(1);
    expect(overview.policy).toMatchObject({ devicesInUse: 1, enrollmentsSinceReset: 1 });
    expect((await deviceRows(embedded, student.sub))[0]!.public_key).toBeInstanceOf(Uint8Array);
  });
});
