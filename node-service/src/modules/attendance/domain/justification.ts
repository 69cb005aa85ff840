import type { ResultStatus } from './results.js';

/**
 * Justifications (issue 26): what a student may ask to justify, and what a document they attach may be.
 * The document's type is what its first bytes say, never the name or the type the browser claims.
 */
export type AttachmentType = 'application/pdf' | 'image/jpeg' | 'image/png';

const SIGNATURES: ReadonlyArray<[AttachmentType, readonly number[]]> = [
  ['application/pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]], // %PDF-
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
];

/** The document's type by its magic bytes; null for anything else. */
export function attachmentTypeOf(bytes: Uint8Array): AttachmentType | null {
  for (const [type, signature] of SIGNATURES) {
    if (bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte)) return type;
  }
  return null;
}

export type JustificationState = 'pending' | 'approved' | 'rejected';

/**
 * Why a student's result in a class cannot be justified now, or null when it can: the class must be over
 * (its result final), the student absent in it (an absence or a teacher's "Ausente"), and the class within
 * the window (JUSTIFICATION_WINDOW_DAYS).
 */
export function justifyProblem(
  result: { status: ResultStatus; final: boolean; plannedStart: Date },
  now: Date,
  windowMs: number,
): 'class_running' | 'not_absent' | 'too_late' | null {
  if (!result.final) return 'class_running';
  if (result.status !== 'absent' && result.status !== 'manual_absent') return 'not_absent';
  if (now.getTime() - result.plannedStart.getTime() > windowMs) return 'too_late';
  return null;
}
