import { z } from 'zod';
import { ACTOR_ROLES, ALERT_REASONS, DEVICE_STATES } from '../domain/device-vocabulary.js';

/**
 * What the enrolment API answers about a student's devices, in a file that imports only zod and an
 * import-free vocabulary: the routes declare these as their response schemas, and the pages (web/)
 * `import type` the shapes inferred from them, so a field changed here breaks the pages' typecheck.
 */

export const deviceSchema = z.object({
  id: z.number(),
  studentId: z.string(),
  name: z.string(),
  state: z.enum(DEVICE_STATES),
  credentialId: z.string(),
  aaguid: z.string(),
  transports: z.array(z.string()),
  backupEligible: z.boolean(),
  backedUp: z.boolean(),
  /** The attestation format the authenticator sent at enrolment ('none', 'packed', 'android-key', ...). */
  attestationFormat: z.string(),
  /** "verificado": that attestation was verified up to a trusted root. Without it the AAGUID is only a claim. */
  attestationVerified: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedReason: z.string().nullable(),
  flaggedReason: z.string().nullable(),
  /** The phone key's id (a hash of its public key): the page compares it with the key it holds. */
  phoneKeyId: z.string().nullable(),
  /** Null until a phone key is bound (devices enrolled before the phone binding must re-bind). */
  phoneKeyBoundAt: z.string().nullable(),
  rebindsLast30Days: z.number(),
  alerts: z.array(z.object({ reason: z.enum(ALERT_REASONS), details: z.record(z.string(), z.unknown()), raisedAt: z.string() })),
});

/**
 * A change to the student's devices as the student is told of it: what, when, by whom (the student's own
 * sign-in or an admin), on which device, and why (an admin's or the student's words, or the refusal's
 * reason: passkey_required, rebind_cooldown, rebind_limit, shared_phone). Never other students' ids.
 */
export const changeSchema = z.object({
  action: z.enum(['enrolled', 'revoked', 'rebound', 'reset', 'flagged', 'refused']),
  by: z.enum(ACTOR_ROLES),
  deviceId: z.number().nullable(),
  reason: z.string().nullable(),
  occurredAt: z.string(),
});

export const overviewSchema = z.object({
  studentId: z.string(),
  devices: z.array(deviceSchema),
  changes: z.array(changeSchema),
  policy: z.object({
    maxDevices: z.number(),
    devicesInUse: z.number(),
    enrollmentsSinceReset: z.number(),
    /** ISO time from which the cooldown allows another enrolment; null: allowed now. */
    nextEnrollmentAt: z.string().nullable(),
  }),
});

// The shapes the pages read (JSON as sent: the schemas' output).
export type DeviceJson = z.output<typeof deviceSchema>;
export type ChangeJson = z.output<typeof changeSchema>;
export type OverviewJson = z.output<typeof overviewSchema>;
