/**
 * The attendance grade as the platform receives it (AGS 2.0 Score, §3.4): a score out of SCORE_MAXIMUM,
 * rounded to two decimals so the same fraction always posts the same number.
 */
export const SCORE_MAXIMUM = 100;

export function scoreOf(fraction: number): number {
  const clamped = Math.min(1, Math.max(0, fraction));
  return Math.round(clamped * SCORE_MAXIMUM * 100) / 100;
}

/** How long to wait before trying a failed post again: doubling from `baseMs`, never beyond `maxMs`. */
export function retryDelayMs(attempts: number, settings: { baseMs: number; maxMs: number }): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(settings.maxMs, settings.baseMs * 2 ** exponent);
}

/** Where a line item's scores go (AGS 2.0 §3.4): `/scores` appended to its path, its query kept. */
export function scoresUrl(lineItemUrl: string): string {
  const url = new URL(lineItemUrl);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/scores`;
  return url.toString();
}

/** The state a teacher sees beside each student's grade. */
export type GradeState = 'sent' | 'pending' | 'failed';
