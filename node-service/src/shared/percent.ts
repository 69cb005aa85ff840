/** Tolerance for the float arithmetic of percentages (62.5 % of 8 is exactly 5, not 4.999…). */
export const PERCENT_EPSILON = 1e-9;

/**
 * A percentage as settings and teachers write it (a course's minimum attendance): a number from 0 to 100
 * with at most one decimal. A value strictly between 0 and 1 is refused as a fraction typed by mistake
 * (0.75 meant 75 %). Null when fine, otherwise what is wrong.
 */
export function percentProblem(value: number): string | null {
  if (!Number.isFinite(value) || value < 0 || value > 100) return 'expected a percentage from 0 to 100, e.g. 75';
  if (value > 0 && value < 1) {
    const meant = Math.round(value * 1000) / 10;
    return `expected a percentage, e.g. ${meant} for ${meant} % (not a fraction)`;
  }
  if (Math.abs(value * 10 - Math.round(value * 10)) > PERCENT_EPSILON) return 'expected at most one decimal, e.g. 62.5';
  return null;
}
