import { z } from 'zod';

/**
 * Ids as the portal hands them out and accepts them back (php-legacy/src/internal_api.php:
 * INTERNAL_COURSE_ID, INTERNAL_PERSON_ID). A route refuses anything else itself, with 400
 * VALIDATION_FAILED, before asking the portal: `1;DROP` is a malformed id, not a portal that is down.
 */
export const courseIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, { error: 'expected a course id: 1 to 32 letters, digits, "-" or "_"' });

export const personIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a person id: 1 to 64 letters, digits, "-" or "_"' });

/**
 * An erased student's records live on under `erased-<uuid>` (privacy module): counts stay, the person is
 * gone. Pages and exports name them "Estudiante eliminado"; standings, corrections and spot checks leave
 * them out.
 */
export const ERASED_ID_PREFIX = 'erased-';

export function isErasedId(studentId: string): boolean {
  return studentId.startsWith(ERASED_ID_PREFIX);
}
