// The words of a device's life that the API answers with, in a file that imports nothing: the domain types
// (device.ts) and the response schemas the pages read (presentation/responses.ts) are built on them.

/**
 * A device is one passkey (FIDO2 credential) bound to the student who enrolled it. `flagged` devices are
 * suspect (e.g. a sign counter went backwards): they still count against the limit but do not sign in.
 */
export const DEVICE_STATES = ['active', 'flagged', 'revoked'] as const;

/**
 * A note for admins about a device that still works (a phone key shared with another student, a synced
 * passkey, frequent re-bindings, the device used in two places or at once: scan/domain/sharing.ts; a student
 * it confirmed for who did not answer a spot check: attendance/domain/spot-check.ts). Unlike the 'flagged' state, an alert never stops a scan; it rides along
 * on the confirmations the device signs, for the teacher to see.
 */
export const ALERT_REASONS = ['shared_phone', 'synced_passkey', 'frequent_rebinds', 'shared_device', 'spot_check_missed'] as const;

/** Who may act on a device, for its history. */
export const ACTOR_ROLES = ['student', 'teacher', 'admin', 'operator', 'system'] as const;
