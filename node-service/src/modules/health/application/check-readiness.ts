/**
 * Readiness: every part the service needs answers. Each check names the part that failed. A part may also
 * be degraded: the instance still serves correctly, but an operator should look (the host clock is off the
 * shared clock by more than CLOCK_MAX_OFFSET_MS); that alone keeps the answer 200.
 */
export interface ReadinessCheck {
  part: 'postgres' | 'valkey' | 'migrations' | 'clock';
  check(): Promise<boolean | 'degraded'>;
}

type PartState = 'ok' | 'degraded' | 'failing';

export interface Readiness {
  ready: boolean;
  parts: Record<string, PartState>;
}

export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs = 2000): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async ({ part, check }) => {
      try {
        const answer = await withTimeout(check(), timeoutMs);
        return [part, answer === 'degraded' ? 'degraded' : answer ? 'ok' : 'failing'] as const;
      } catch {
        return [part, 'failing'] as const;
      }
    }),
  );
  const parts: Record<string, PartState> = Object.fromEntries(results);
  return { ready: results.every(([, state]) => state !== 'failing'), parts };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
