import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RateLimits } from '../../shared/http/rate-limits.js';
import type { KeyValueStore } from '../../shared/storage/key-value.js';
import type { Grouping } from '../../shared/storage/grouped-calls.js';
import type { SqlDatabase } from '../../shared/storage/sql.js';
import type { AssertionVerifier } from '../../shared/webauthn/assertion.js';
import type { AuthGuards } from '../auth/index.js';
import type { ScanCredentials } from '../scan/index.js';
import { createScanCredentials } from './application/credentials.js';
import { createDeviceManagement, type DeviceManagement } from './application/devices.js';
import { createRebindingService } from './application/rebinding.js';
import type { PeopleDirectory } from './application/ports.js';
import { createRegistrationService, type RegistrationService } from './application/registration.js';
import { createRevocationService } from './application/revocation.js';
import { createStudentLookup } from './application/student-lookup.js';
import type { AttestationMode, EnrollmentPolicy } from './domain/policy.js';
import { createChallengeStore } from './infrastructure/challenge-store.js';
import { createDeviceRepository } from './infrastructure/device-repository.js';
import { createWebAuthnCeremony } from './infrastructure/webauthn-ceremony.js';
import { adminRoutes } from './presentation/admin-routes.js';
import { studentRoutes } from './presentation/student-routes.js';
import { internalRoutes } from './presentation/internal-routes.js';

export type { DeviceManagement, DeviceOverview } from './application/devices.js';
export type { PeopleDirectory } from './application/ports.js';
export { CREDENTIAL_PREFIX_MIN } from './application/devices.js';
export type { Actor, Device } from './domain/device.js';
export { studentIdFromUserHandle } from './domain/user-handle.js';

/** The settings this module reads (a subset of the service Config). */
export interface EnrollmentConfig {
  timeZone: string;
  webauthn: { rpName: string; rpId: string; origins: readonly string[] };
  enrollment: {
    /** ENROLLMENT_ATTESTATION and the operator's trusted roots (DER) from ENROLLMENT_ATTESTATION_ROOTS_FILE. */
    attestation: AttestationMode;
    attestationRoots: readonly Uint8Array[];
    challengeTtlMs: number;
    maxDevices: number;
    cooldownMs: readonly number[];
    aaguidAllowlist: readonly string[] | undefined;
    sharedPhone: 'refuse' | 'flag';
    syncedPasskeys: 'allow' | 'flag' | 'refuse';
    rebindCooldownMs: number;
    rebindsBeforeFlag: number;
    changeNoticeDays: number;
    adminSearchMaxResults: number;
  };
}

function policyOf(config: EnrollmentConfig): EnrollmentPolicy {
  const { maxDevices, cooldownMs, attestation, aaguidAllowlist, sharedPhone, syncedPasskeys, rebindCooldownMs, rebindsBeforeFlag } = config.enrollment;
  return { maxDevices, cooldownMs, attestation, aaguidAllowlist, sharedPhone, syncedPasskeys, rebindCooldownMs, rebindsBeforeFlag, timeZone: config.timeZone };
}

/** What the operator CLI needs, and the scan's port: the same services on the database alone (no Valkey, no HTTP). */
export function createDeviceOperations(deps: { config: EnrollmentConfig; db: SqlDatabase }): { management: DeviceManagement; credentials: ScanCredentials } {
  const devices = createDeviceRepository(deps.db);
  return {
    management: createDeviceManagement({ devices, policy: policyOf(deps.config) }),
    credentials: createScanCredentials({ devices, now: () => new Date() }),
  };
}

/**
 * Passkey enrolment and the phone binding. `credentials` implements the scan's port: the passkeys bound to a
 * phone key, the device behind a credential id, and a way to record its use or flag it.
 */
export function createEnrollmentModule(deps: {
  config: EnrollmentConfig;
  db: SqlDatabase;
  store: KeyValueStore;
  assertions: AssertionVerifier;
  /** The portal's directory: admins find students and read names through it. */
  people: PeopleDirectory;
  guards: AuthGuards;
  limits: RateLimits;
  now?: () => Date;
  report?: (error: unknown, context: string) => void;
  /** The scan's lookups by phone key, grouped when many phones ask at once (SCAN_BATCH_*). */
  phoneLookups?: Grouping;
}): {
  registration: RegistrationService;
  management: DeviceManagement;
  credentials: ScanCredentials;
  /** Alerts other modules raise on a device: a spot check its student did not answer (attendance). */
  alerts: { spotCheckMissed(deviceId: number, details: Record<string, unknown>, actor: { id: string; role: string }): Promise<void> };
  routes: FastifyPluginAsyncZod;
} {
  const { config } = deps;
  const now = deps.now ?? (() => new Date());
  const devices = createDeviceRepository(deps.db, deps.phoneLookups);
  const policy = policyOf(config);
  const ttlMs = config.enrollment.challengeTtlMs;
  const ceremony = createWebAuthnCeremony({
    ...config.webauthn,
    attestation: config.enrollment.attestation,
    attestationRoots: config.enrollment.attestationRoots,
    timeoutMs: ttlMs,
  });
  const registration = createRegistrationService({
    devices,
    challenges: createChallengeStore(deps.store, ttlMs, 'enroll'),
    ceremony,
    policy,
    proofs: { challenges: createChallengeStore(deps.store, ttlMs, 'add'), assertions: deps.assertions, challengeTtlMs: ttlMs },
    now,
  });
  const rebinding = createRebindingService({
    devices,
    challenges: createChallengeStore(deps.store, ttlMs, 'rebind'),
    assertions: deps.assertions,
    policy,
    challengeTtlMs: ttlMs,
    now,
  });
  const revocation = createRevocationService({
    devices,
    challenges: createChallengeStore(deps.store, ttlMs, 'revoke'),
    assertions: deps.assertions,
    challengeTtlMs: ttlMs,
  });
  const management = createDeviceManagement({ devices, policy });
  const credentials = createScanCredentials({ devices, now });
  const lookup = createStudentLookup({
    directory: deps.people,
    devices,
    maxResults: config.enrollment.adminSearchMaxResults,
    ...(deps.report ? { report: deps.report } : {}),
  });
  const routes: FastifyPluginAsyncZod = async (app) => {
    app.addHook('onClose', async () => ceremony.release());
    await app.register(studentRoutes({ registration, rebinding, revocation, management, guards: deps.guards, limits: deps.limits }));
    await app.register(adminRoutes({ management, lookup, guards: deps.guards, limits: deps.limits }));
    await app.register(internalRoutes({ management, guards: deps.guards, noticeDays: config.enrollment.changeNoticeDays, now }));
  };
  const alerts = {
    spotCheckMissed: (deviceId: number, details: Record<string, unknown>, actor: { id: string; role: string }) =>
      devices.raiseAlert(deviceId, { reason: 'spot_check_missed' as const, details }, { id: actor.id, role: actor.role === 'admin' ? 'admin' : 'teacher' }),
  };
  return { registration, management, credentials, alerts, routes };
}
