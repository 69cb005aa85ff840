import { quantile } from 'simple-statistics';

/** p50, p99 and max of `values` (simple-statistics' quantiles), rounded to 0.1; NaN everywhere when there are none. */
export function distribution(values: readonly number[]) {
  const [p50, p99, max] = values.length === 0 ? [NaN, NaN, NaN] : quantile([...values], [0.5, 0.99, 1]).map((v) => Math.round(v * 10) / 10);
  return { count: values.length, p50: p50!, p99: p99!, max: max! };
}
export type Distribution = ReturnType<typeof distribution>;

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
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
