import { z } from 'zod';
import { base64url, p256SignatureSchema } from '../../../shared/webauthn/schemas.js';
import type { DeviceOverview } from '../application/devices.js';
import { ACTOR_ROLES } from '../domain/device-vocabulary.js';
import { DEVICE_NAME_MAX, HISTORY_ACTIONS, REASON_MAX, type Device, type HistoryEntry } from '../domain/device.js';
import { deviceSchema, overviewSchema, type ChangeJson, type DeviceJson, type OverviewJson } from './responses.js';
import { personIdSchema } from '../../../shared/ids.js';

/** `navigator.credentials.create()` options, as @simplewebauthn/browser's startRegistration takes them. */
export const creationOptionsSchema = z.object({
  challenge: z.string(),
  rp: z.object({ name: z.string(), id: z.string().optional() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.object({ alg: z.number(), type: z.string() })),
  timeout: z.number().optional(),
  excludeCredentials: z
    .array(z.object({ id: z.string(), type: z.string(), transports: z.array(z.string()).optional() }))
    .optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.string().optional(),
      residentKey: z.string().optional(),
      requireResidentKey: z.boolean().optional(),
      userVerification: z.string().optional(),
    })
    .optional(),
  attestation: z.string().optional(),
  extensions: z.object({ credProps: z.boolean().optional() }).optional(),
  hints: z.array(z.string()).optional(),
});

/** What startRegistration resolves to (RegistrationResponseJSON); unknown extra fields are kept. */
export const registrationResponseSchema = z.looseObject({
  id: base64url(1400),
  rawId: base64url(1400),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: base64url(8 * 1024),
    attestationObject: base64url(48 * 1024),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.string().max(32).optional(),
});

/**
 * The phone key's part of an enrolment or re-binding (shared/phone-key.ts): its public key (SPKI, DER) and
 * its signature over the ceremony's challenge (64 bytes, r ‖ s).
 */
export const phoneKeySchema = z
  .object({
    publicKey: base64url(216),
    signature: p256SignatureSchema,
  })
  .strict();

export const deviceNameSchema = z.string().min(1).max(DEVICE_NAME_MAX * 2);
export const reasonSchema = z.string().min(1).max(REASON_MAX * 2);
export const deviceIdParams = z.object({ deviceId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
export const studentIdSchema = personIdSchema;

export const historySchema = z.object({
  studentId: z.string(),
  entries: z.array(
    z.object({
      id: z.number(),
      deviceId: z.number().nullable(),
      action: z.enum(HISTORY_ACTIONS),
      actorId: z.string(),
      actorRole: z.enum(ACTOR_ROLES),
      reason: z.string().nullable(),
      details: z.record(z.string(), z.unknown()),
      occurredAt: z.string(),
    }),
  ),
});

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function deviceView(device: Device): DeviceJson {
  return {
    id: device.id,
    studentId: device.studentId,
    name: device.name,
    state: device.state,
    credentialId: device.credentialId,
    aaguid: device.aaguid,
    transports: device.transports,
    backupEligible: device.backupEligible,
    backedUp: device.backedUp,
    attestationFormat: device.attestation.format,
    attestationVerified: device.attestation.verified,
    createdAt: device.createdAt.toISOString(),
    lastUsedAt: iso(device.lastUsedAt),
    revokedAt: iso(device.revokedAt),
    revokedReason: device.revokedReason,
    flaggedReason: device.flaggedReason,
    phoneKeyId: device.phoneKeyId,
    phoneKeyBoundAt: iso(device.phoneKeyBoundAt),
    rebindsLast30Days: device.rebindsLast30Days,
    alerts: device.alerts.map((alert) => ({ reason: alert.reason, details: alert.details, raisedAt: alert.raisedAt.toISOString() })),
  };
}

export function overviewView(overview: DeviceOverview): OverviewJson {
  return {
    studentId: overview.studentId,
    devices: overview.devices.map(deviceView),
    changes: overview.changes.map(changeView),
    policy: {
      maxDevices: overview.maxDevices,
      devicesInUse: overview.devicesInUse,
      enrollmentsSinceReset: overview.enrollmentsSinceReset,
      nextEnrollmentAt: iso(overview.nextEnrollmentAt),
    },
  };
}

export function changeView(entry: HistoryEntry): ChangeJson {
  return {
    action: entry.action as ChangeJson['action'],
    by: entry.actor.role,
    deviceId: entry.deviceId,
    reason: entry.reason,
    occurredAt: entry.occurredAt.toISOString(),
  };
}

export function historyView(studentId: string, entries: HistoryEntry[]): z.infer<typeof historySchema> {
  return {
    studentId,
    entries: entries.map((entry) => ({
      id: entry.id,
      deviceId: entry.deviceId,
      action: entry.action,
      actorId: entry.actor.id,
      actorRole: entry.actor.role,
      reason: entry.reason,
      details: entry.details,
      occurredAt: entry.occurredAt.toISOString(),
    })),
  };
}

/** At most this many words in a lookup, as the portal's search accepts (php-legacy/public/internal/students.php). */
const LOOKUP_MAX_WORDS = 8;

/** What an admin types to find a student: a name, a username or an id. */
export const lookupQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine((q) => q.split(/\s+/).length <= LOOKUP_MAX_WORDS, { error: `at most ${LOOKUP_MAX_WORDS} words` }),
});

const personSchema = z.object({
  id: z.string(),
  name: z.string(),
  username: z.string(),
  role: z.enum(['student', 'teacher', 'admin']),
});

export const studentSearchSchema = z.object({
  query: z.string(),
  students: z.array(z.object({ id: z.string(), name: z.string(), username: z.string(), devicesInUse: z.number() })),
  /** More students matched than `limit` (ADMIN_SEARCH_MAX_RESULTS): the admin should type more. */
  truncated: z.boolean(),
  limit: z.number(),
});

/** The admin's views also name the people in them (from the portal); empty when the portal cannot say. */
const named = { people: z.array(personSchema) };
export const adminOverviewSchema = overviewSchema.extend(named);
export const adminHistorySchema = historySchema.extend(named);
export const attentionSchema = z.object({ devices: z.array(deviceSchema), ...named });
