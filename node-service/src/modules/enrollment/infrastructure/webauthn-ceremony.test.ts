import { SettingsService } from '@simplewebauthn/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestRootCa } from '../../../../test/support/attestation.js';
import { createWebAuthnCeremony, type WebAuthnSettings } from './webauthn-ceremony.js';

/**
 * SimpleWebAuthn keeps attestation roots process-wide. A ceremony holds the operator's roots while its app
 * runs and gives them back when it closes; a second ceremony alive with other roots is refused instead of
 * quietly changing the first one's trust.
 */
const settings = (attestationRoots: Uint8Array[]): WebAuthnSettings => ({
  rpName: 'Asistencia',
  rpId: 'localhost',
  origins: ['http://localhost'],
  attestation: 'prefer',
  attestationRoots,
  timeoutMs: 60_000,
});
const packedRoots = () => SettingsService.getRootCertificates({ identifier: 'packed' });
const open: Array<{ release(): void }> = [];
const ceremony = (roots: Uint8Array[]) => {
  const made = createWebAuthnCeremony(settings(roots));
  open.push(made);
  return made;
};
afterEach(() => open.splice(0).forEach((made) => made.release()));

describe('the attestation roots of a ceremony', () => {
  it('are trusted while it lives and no longer once released', async () => {
    const root = await createTestRootCa('Operator Root');
    const shipped = packedRoots();
    const first = ceremony([root.der]);
    expect(packedRoots()).toEqual([...shipped, expect.stringContaining(Buffer.from(root.der).toString('base64').slice(0, 60))]);
    first.release();
    expect(packedRoots()).toEqual(shipped);
  });

  it('are shared by ceremonies with the same roots until the last one is released', async () => {
    const root = await createTestRootCa('Shared Root');
    const shipped = packedRoots();
    const a = ceremony([root.der]);
    const b = ceremony([root.der]);
    a.release();
    a.release();
    expect(packedRoots()).toHaveLength(shipped.length + 1);
    b.release();
    expect(packedRoots()).toEqual(shipped);
  });

  it('refuse a second live ceremony with other roots, and allow it once the first is released', async () => {
    const root = await createTestRootCa('First Root');
    const first = ceremony([root.der]);
    expect(() => ceremony([])).toThrow(/process-wide/);
    expect(packedRoots()).toHaveLength(1);
    first.release();
    expect(() => ceremony([])).not.toThrow();
  });
});
