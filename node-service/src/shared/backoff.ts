/**
 * The wait before retry `attempt` (0-based): exponential from `minMs`, capped at `maxMs`, with "equal
 * jitter" (half fixed, half random), so instances and pages that failed together do not retry together.
 */
export function backoffDelay(attempt: number, bounds: { minMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(bounds.maxMs, bounds.minMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
