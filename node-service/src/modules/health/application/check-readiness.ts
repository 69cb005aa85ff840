/**
 * Readiness: every part the service needs answers. Each check names the part that failed, and may say why
 * (PostgreSQL answering but refusing writes: read-only, disk full). A part may also be degraded: the
 * instance still serves correctly, but an operator should look (the host clock is off the shared clock by
 * more than CLOCK_MAX_OFFSET_MS, Valkey's round trip is past VALKEY_MAX_LATENCY_MS, the PostgreSQL standby is
 * down or further behind than DATABASE_REPLICA_MAX_LAG_SECONDS, its reads served by the primary); that alone keeps the
 * answer 200.
 */
export interface ReadinessCheck {
  part: 'postgres' | 'valkey' | 'migrations' | 'clock' | 'postgres_replica';
  check(): Promise<boolean | 'degraded' | { state: 'failing' | 'degraded'; reason: string }>;
}

type PartState = 'ok' | 'degraded' | 'failing';

export interface Readiness {
  ready: boolean;
  parts: Record<string, PartState>;
  /** Why a part is failing or degraded, when its check said (only those parts). */
  reasons?: Record<string, string>;
}

export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs = 2000): Promise<Readiness> {
  const reasons: Record<string, string> = {};
  const results = await Promise.all(
    checks.map(async ({ part, check }): Promise<readonly [string, PartState]> => {
      try {
        const answer = await withTimeout(check(), timeoutMs);
        if (typeof answer === 'object') {
          reasons[part] = answer.reason;
          return [part, answer.state];
        }
        return [part, answer === 'degraded' ? 'degraded' : answer ? 'ok' : 'failing'];
      } catch {
        return [part, 'failing'];
      }
    }),
  );
  const parts: Record<string, PartState> = Object.fromEntries(results);
  return { ready: results.every(([, state]) => state !== 'failing'), parts, ...(Object.keys(reasons).length > 0 ? { reasons } : {}) };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
