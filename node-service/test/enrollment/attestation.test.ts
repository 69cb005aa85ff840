import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attester } from '../support/authenticator.js';
import { androidKeyAttestation, createTestRootCa, packedAttestation, packedSelfAttestation, type TestRootCa } from '../support/attestation.js';
import { startService, type RunningService } from '../support/service.js';
import { deviceRows, enrollment, expectRefusal, freshStudent, historyRows, phoneFor } from './support.js';

/**
 * Attestation where it exists (ENROLLMENT_ATTESTATION, ENROLLMENT_ATTESTATION_ROOTS_FILE): real 'packed' and
 * 'android-key' statements made in the test from a test root CA that the service is told to trust, and from
 * another root it is not. A device is "verificado" only when its statement verifies up to a trusted root;
 * 'require' enrols only those, 'prefer' enrols the rest unverified, and an AAGUID counts only inside a
 * verified statement. Every service of this file trusts the same roots: SimpleWebAuthn keeps them process-wide.
 */
const SECURITY_KEY_AAGUID = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const OTHER_AAGUID = 'ee882879-721c-4913-9775-3dfcce97072a';

let trusted: TestRootCa;
let untrusted: TestRootCa;
let rootsDir: string;
let strict: RunningService;
let lenient: RunningService;
let picky: RunningService;

beforeAll(async () => {
  [trusted, untrusted] = await Promise.all([createTestRootCa('Trusted Test Attestation Root'), createTestRootCa('Untrusted Test Root')]);
  rootsDir = mkdtempSync(join(tmpdir(), 'asistencia-roots-'));
  const rootsFile = join(rootsDir, 'attestation-roots.pem');
  writeFileSync(rootsFile, trusted.pem);
  const roots = { ENROLLMENT_ATTESTATION_ROOTS_FILE: rootsFile };
  [strict, lenient, picky] = await Promise.all([
    startService({ env: { ...roots, ENROLLMENT_ATTESTATION: 'require' } }),
    startService({ env: { ...roots, ENROLLMENT_ATTESTATION: 'prefer' } }),
    startService({ env: { ...roots, ENROLLMENT_ATTESTATION: 'prefer', ENROLLMENT_AAGUID_ALLOWLIST: SECURITY_KEY_AAGUID } }),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([strict?.stop(), lenient?.stop(), picky?.stop()]);
  if (rootsDir) rmSync(rootsDir, { recursive: true, force: true });
});

/** One enrolment attempt of a fresh student, the phone attesting with `attest` (none when undefined). */
async function attempt(service: RunningService, attest?: Attester, aaguid = SECURITY_KEY_AAGUID) {
  const student = freshStudent('Atestación');
  const client = enrollment(service, student);
  const phone = phoneFor(service, { aaguid });
  const options = await client.grantedOptions();
  const response = attest ? await phone.registerAttested(options, attest) : phone.register(options);
  return { student, options, answer: await client.verify(response, undefined, phone.phoneKey) };
}

async function expectNothingStored(service: RunningService, studentId: string) {
  expect(await deviceRows(service, studentId)).toEqual([]);
  expect(await historyRows(service, studentId)).toEqual([]);
}

describe('ENROLLMENT_ATTESTATION=require', () => {
  it('asks the browser for direct attestation', async () => {
    const options = await enrollment(strict, freshStudent()).grantedOptions();
    expect(options.attestation).toBe('direct');
  });

  it('enrols a security key whose packed attestation chains to a trusted root, marked verified', async () => {
    const { student, answer } = await attempt(strict, packedAttestation(trusted, SECURITY_KEY_AAGUID));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.device).toMatchObject({ aaguid: SECURITY_KEY_AAGUID, attestationFormat: 'packed', attestationVerified: true });

    const { rows } = await strict.db.query<{ attestation_format: string; attestation_verified: boolean }>(
      'SELECT attestation_format, attestation_verified FROM enrollment.devices WHERE student_id = $1',
      [student.sub],
    );
    expect(rows).toEqual([{ attestation_format: 'packed', attestation_verified: true }]);
    expect(await historyRows(strict, student.sub)).toMatchObject([{ action: 'enrolled', details: { attestation: { format: 'packed', verified: true } } }]);
    const listed = await enrollment(strict, student).devices();
    expect(listed.body.devices).toMatchObject([{ attestationFormat: 'packed', attestationVerified: true }]);
  });

  it('enrols an Android phone whose android-key attestation (challenge in its key certificate) chains to a trusted root', async () => {
    const { answer } = await attempt(strict, androidKeyAttestation(trusted));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.device).toMatchObject({ attestationFormat: 'android-key', attestationVerified: true });
  });

  it('refuses attestation none with a 403 that says which phones and keys work, and stores nothing', async () => {
    const { student, answer } = await attempt(strict);
    expectRefusal(answer, 403, 'ENROLLMENT_ATTESTATION_REQUIRED');
    expect(answer.body.error.messages.es).toMatch(/Tu institución exige .*teléfono Android.*llave de seguridad/);
    expect(answer.body.error.messages.en).toMatch(/Your institution requires .*Android phone.*security key/);
    expect(answer.body.error.details).toEqual({ format: 'none' });
    await expectNothingStored(strict, student.sub);
  });

  // What the verifier found wrong rides along in the refusal's details, for whoever helps the student.
  const unproven: Array<[label: string, attest: () => Attester, details: Record<string, unknown>]> = [
    ['a packed chain from a root nobody trusts', () => packedAttestation(untrusted, SECURITY_KEY_AAGUID), { format: 'packed', problem: expect.stringMatching(/Packed\|Full/) }],
    [
      'a packed chain from the trusted root whose signature does not check',
      () => packedAttestation(trusted, SECURITY_KEY_AAGUID, { wrongSignature: true }),
      { format: 'packed', problem: 'the packed attestation signature did not verify' },
    ],
    ['packed self attestation (no certificate: the credential vouches for itself)', () => packedSelfAttestation(), { format: 'packed' }],
    ['an android-key chain from a root nobody trusts', () => androidKeyAttestation(untrusted), { format: 'android-key', problem: expect.stringMatching(/not a known root certificate/) }],
    [
      'an android-key certificate carrying another challenge',
      () => androidKeyAttestation(trusted, { challenge: new Uint8Array(32).fill(7) }),
      { format: 'android-key', problem: expect.stringMatching(/challenge was not equal to client data hash/) },
    ],
  ];
  it.each(unproven)('refuses %s, and stores nothing', async (_label, attest, details) => {
    const { student, answer } = await attempt(strict, attest());
    expectRefusal(answer, 403, 'ENROLLMENT_ATTESTATION_REQUIRED');
    expect(answer.body.error.details).toEqual(details);
    await expectNothingStored(strict, student.sub);
  });
});

describe('ENROLLMENT_ATTESTATION=prefer', () => {
  it('enrols attestation none, not verified', async () => {
    const { answer } = await attempt(lenient);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.device).toMatchObject({ attestationFormat: 'none', attestationVerified: false });
  });

  it('enrols a packed chain from an untrusted root, not verified, and records why', async () => {
    const { student, answer } = await attempt(lenient, packedAttestation(untrusted, SECURITY_KEY_AAGUID));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.device).toMatchObject({ attestationFormat: 'packed', attestationVerified: false });
    const [enrolled] = await historyRows(lenient, student.sub);
    expect(enrolled?.details).toMatchObject({ attestation: { format: 'packed', verified: false, problem: expect.stringMatching(/\S/) } });
  });

  it('marks the verified ones', async () => {
    const { answer } = await attempt(lenient, androidKeyAttestation(trusted));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.device).toMatchObject({ attestationFormat: 'android-key', attestationVerified: true });
  });
});

describe('ENROLLMENT_AAGUID_ALLOWLIST: an AAGUID counts only inside a verified attestation', () => {
  it('refuses a listed AAGUID claimed with attestation none, and stores nothing', async () => {
    const { student, answer } = await attempt(picky, undefined, SECURITY_KEY_AAGUID);
    expectRefusal(answer, 403, 'ENROLLMENT_AUTHENTICATOR_UNPROVEN');
    expect(answer.body.error.details).toEqual({ aaguid: SECURITY_KEY_AAGUID, format: 'none' });
    await expectNothingStored(picky, student.sub);
  });

  it('refuses a listed AAGUID under a packed chain from an untrusted root', async () => {
    const { student, answer } = await attempt(picky, packedAttestation(untrusted, SECURITY_KEY_AAGUID));
    expectRefusal(answer, 403, 'ENROLLMENT_AUTHENTICATOR_UNPROVEN');
    await expectNothingStored(picky, student.sub);
  });

  it('enrols a listed AAGUID that a trusted packed attestation vouches for, and refuses an unlisted one that is verified', async () => {
    const listed = await attempt(picky, packedAttestation(trusted, SECURITY_KEY_AAGUID));
    expect(listed.answer.status, JSON.stringify(listed.answer.body)).toBe(201);
    expect(listed.answer.body.device).toMatchObject({ aaguid: SECURITY_KEY_AAGUID, attestationVerified: true });

    const other = await attempt(picky, packedAttestation(trusted, OTHER_AAGUID), OTHER_AAGUID);
    expectRefusal(other.answer, 403, 'ENROLLMENT_AUTHENTICATOR_NOT_ALLOWED');
    await expectNothingStored(picky, other.student.sub);
  });
});
