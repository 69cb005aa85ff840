export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** p50, p99 (nearest rank) and max of `values`, rounded to 0.1; NaN everywhere when there are none. */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]! * 10) / 10;
  return sorted.length === 0 ? { count: 0, p50: NaN, p99: NaN, max: NaN } : { count: sorted.length, p50: rank(0.5), p99: rank(0.99), max: rank(1) };
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Set-up (not a measurement) on a loaded shared machine: a step the service refused with 503 (its
 * PostgreSQL pool or deadline gave out) is tried again, up to 4 times, 1, 2, 3 s apart.
 */
export async function retryUnavailable<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= 4 || !/\b503\b/.test(String(error))) throw error;
      await sleep(1000 * attempt);
    }
  }
}

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
