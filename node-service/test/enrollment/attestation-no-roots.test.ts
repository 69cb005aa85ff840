import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { androidKeyAttestation, createTestRootCa, packedAttestation, type TestRootCa } from '../support/attestation.js';
import { startService, type RunningService } from '../support/service.js';
import { enrollment, freshStudent, phoneFor } from './support.js';

/**
 * Without ENROLLMENT_ATTESTATION_ROOTS_FILE the service trusts only the roots SimpleWebAuthn ships (Google's
 * for android-key, Apple's for apple), and none for packed or tpm. SimpleWebAuthn then checks no path for a
 * packed chain at all, so a chain anyone can make passes its verification: such a device must not be
 * "verificado". (Its own file: SimpleWebAuthn keeps its roots process-wide, and attestation.test.ts trusts a
 * test root.)
 */
const AAGUID = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
let root: TestRootCa;
let service: RunningService;

beforeAll(async () => {
  root = await createTestRootCa('Self-made Attestation Root');
  service = await startService({ env: { ENROLLMENT_ATTESTATION: 'prefer' } });
});
afterAll(() => service?.stop());

describe('no operator roots', () => {
  it.each([
    ['a packed chain (no root configured for packed: nothing checks the path)', 'packed', () => packedAttestation(root, AAGUID)],
    ['an android-key chain to a root that is not Google’s', 'android-key', () => androidKeyAttestation(root)],
  ])('enrols %s under prefer, not verified', async (_label, format, attest) => {
    const client = enrollment(service, freshStudent('Sin raíces'));
    const phone = phoneFor(service, { aaguid: AAGUID });
    const answer = await client.verify(await phone.registerAttested(await client.grantedOptions(), attest()), undefined, phone.phoneKey);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.device).toMatchObject({ attestationFormat: format, attestationVerified: false });
  });
});
