/**
 * What the pages and the service must agree on, in a file that imports nothing: the pages import it
 * (web/src/lib/phone-key.ts, web/scan, web/projector), the service imports it, so the two cannot drift.
 * contract.test.ts checks that every error code named here is one the service declares, and that no page
 * spells a code itself. (The socket's close codes follow the same pattern: modules/realtime/domain/close-codes.ts.)
 */

/** The first line of every message a phone key signs (src/shared/phone-key.ts says why). */
const PHONE_KEY_MESSAGE_VERSION = 'asistencia/phone-key/v1';

/** What a phone-key signature is for: one purpose per request that carries one. */
export type PhoneKeyPurpose = 'enroll' | 'rebind' | 'scan-challenge' | 'scan-confirm';

/** Every part is base64url or digits (a typed code carries its `code:` prefix), so none can hold a line break. */
const MESSAGE_PART = /^[A-Za-z0-9_:-]*$/;

/** The text a phone key signs: the version, the purpose and its parts, one per line (UTF-8 on both sides). */
export function phoneKeyMessageText(purpose: PhoneKeyPurpose, ...parts: readonly string[]): string {
  for (const part of parts) if (!MESSAGE_PART.test(part)) throw new Error(`phone-key message part is not base64url: ${part}`);
  return [PHONE_KEY_MESSAGE_VERSION, purpose, ...parts].join('\n');
}

/** A typed six-digit code is signed as `code:<digits>`, so that it can never pass for a scanned token. */
const TYPED_CODE_PREFIX = 'code:';
export const typedCodeSigned = (code: string): string => `${TYPED_CODE_PREFIX}${code}`;

/** The error codes the pages branch on (the rest they only show, in the reader's language). */
export const PageErrorCode = {
  validationFailed: 'VALIDATION_FAILED',
  authRoleForbidden: 'AUTH_ROLE_FORBIDDEN',
  scanCodeExpired: 'SCAN_CODE_EXPIRED',
  scanDeviceNotEnrolled: 'SCAN_DEVICE_NOT_ENROLLED',
  scanDeviceRevoked: 'SCAN_DEVICE_REVOKED',
  scanPhoneUnknown: 'SCAN_PHONE_UNKNOWN',
  scanWrongPhone: 'SCAN_WRONG_PHONE',
  scanDeviceFlagged: 'SCAN_DEVICE_FLAGGED',
  scanNetworkRefused: 'SCAN_NETWORK_REFUSED',
  scanNetworkChanged: 'SCAN_NETWORK_CHANGED',
  scanCounterRegressed: 'SCAN_COUNTER_REGRESSED',
  scanDeviceShared: 'SCAN_DEVICE_SHARED',
  scanRoundNotOpen: 'SCAN_ROUND_NOT_OPEN',
  scanSessionClosed: 'SCAN_SESSION_CLOSED',
  sessionNotFound: 'SESSION_NOT_FOUND',
  sessionNotYours: 'SESSION_NOT_YOURS',
  sessionCourseNotYours: 'SESSION_COURSE_NOT_YOURS',
  sessionInvalidTimes: 'SESSION_INVALID_TIMES',
  sessionInvalidPeriod: 'SESSION_INVALID_PERIOD',
  sessionInvalidGrace: 'SESSION_INVALID_GRACE',
  seriesInvalidDates: 'SERIES_INVALID_DATES',
  seriesEmpty: 'SERIES_EMPTY',
  seriesTooMany: 'SERIES_TOO_MANY',
  timetableInvalid: 'TIMETABLE_INVALID',
  wsMessageInvalid: 'WS_MESSAGE_INVALID',
} as const;

/** Scan refusals after which the way forward is enrolling a passkey on this phone, or linking it again. */
export const SCAN_ENROLL_CODES: readonly string[] = [
  PageErrorCode.scanDeviceNotEnrolled,
  PageErrorCode.scanDeviceRevoked,
  PageErrorCode.scanPhoneUnknown,
  PageErrorCode.scanWrongPhone,
];
