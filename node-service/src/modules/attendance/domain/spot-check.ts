/**
 * "Llamar al azar" (issue 24): the check no script can pass. During or after a round the teacher draws a few
 * students who confirmed and calls them by name; whoever does not answer loses the session's confirmation
 * (a correction to 'manual_absent', audited), and the device that confirmed for them is put before an admin.
 *
 * Each call is `called` until the teacher marks it `answered` or `no_answer`; a mark can be changed (a
 * student who answers late), and undoing a `no_answer` gives the student back the status their rounds earn.
 */
export type SpotCheckOutcome = 'called' | 'answered' | 'no_answer';

export interface SpotCheckCall {
  studentId: string;
  studentName: string;
  outcome: SpotCheckOutcome;
  reason: string | null;
  decidedAt: Date | null;
}

export interface SpotCheck {
  id: number;
  /** The round running when it was drawn (null: between rounds or after the last). */
  round: number | null;
  drawnBy: string;
  drawnAt: Date;
  calls: SpotCheckCall[];
}

/**
 * Up to `count` of the candidates, each equally likely, in the order drawn (a partial Fisher–Yates shuffle).
 * `randomBelow(n)` returns an integer in [0, n): crypto.randomInt in the service, a fixed sequence in tests.
 */
export function drawAtRandom<T>(candidates: readonly T[], count: number, randomBelow: (n: number) => number): T[] {
  const pool = [...candidates];
  const drawn: T[] = [];
  while (drawn.length < count && pool.length > 0) {
    const index = randomBelow(pool.length);
    drawn.push(pool[index]!);
    pool[index] = pool[pool.length - 1]!;
    pool.pop();
  }
  return drawn;
}

/** Whether a mark needs the teacher's reason: taking a confirmation away, or giving it back. */
export function needsReason(from: SpotCheckOutcome, to: SpotCheckOutcome): boolean {
  return to === 'no_answer' || from === 'no_answer';
}
