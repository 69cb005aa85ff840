/** Readiness: every part the service needs answers. Each check names the part that failed. */
export interface ReadinessCheck {
  part: 'postgres' | 'valkey' | 'migrations';
  check(): Promise<boolean>;
}

export interface Readiness {
  ready: boolean;
  parts: Record<string, 'ok' | 'failing'>;
}

export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs = 2000): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async ({ part, check }) => {
      try {
        return [part, (await withTimeout(check(), timeoutMs)) ? 'ok' : 'failing'] as const;
      } catch {
        return [part, 'failing'] as const;
      }
    }),
  );
  const parts = Object.fromEntries(results);
  return { ready: results.every(([, state]) => state === 'ok'), parts };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
