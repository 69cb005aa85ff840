/**
 * Valkey's round-trip time as requests meet it: a PING on the connection the requests' commands share (so
 * it queues behind them, as they queue behind each other) every VALKEY_LATENCY_PROBE_MS, and at every
 * readiness check. Each answer is observed (the histogram asistencia_valkey_round_trip_seconds); the
 * median of the last few, or a probe still unanswered for longer, is what /ready compares with
 * VALKEY_MAX_LATENCY_MS. A slow Valkey slows every scan by its round trips one after another (two for a
 * challenge, two for its confirmation: scan/infrastructure/scan-state.ts): the instance still answers correctly, so it is degraded, not failing.
 */
const SAMPLES = 5;

export interface ValkeyLatency {
  /** One probe now: resolves with its round trip in ms, or rejects when Valkey does not answer. */
  measure(): Promise<number>;
  /** The round trip to judge (ms): the median of the last probes, or the age of one still unanswered if longer. */
  currentMs(): number | null;
  start(): void;
  stop(): void;
}

export function createValkeyLatency(deps: {
  ping: () => Promise<void>;
  intervalMs: number;
  observe: (seconds: number) => void;
  now?: () => number;
}): ValkeyLatency {
  const now = deps.now ?? (() => performance.now());
  const recent: number[] = [];
  const pending = new Set<number>();
  let timer: NodeJS.Timeout | undefined;

  const measure = async () => {
    const started = now();
    pending.add(started);
    try {
      await deps.ping();
    } finally {
      pending.delete(started);
    }
    const ms = now() - started;
    recent.push(ms);
    if (recent.length > SAMPLES) recent.shift();
    deps.observe(ms / 1000);
    return ms;
  };

  return {
    measure,
    currentMs() {
      const sorted = [...recent].sort((a, b) => a - b);
      const median = sorted.length > 0 ? sorted[Math.floor((sorted.length - 1) / 2)]! : null;
      const oldest = pending.size > 0 ? now() - Math.min(...pending) : null;
      return oldest !== null && (median === null || oldest > median) ? oldest : median;
    },
    start() {
      // One probe at a time: a Valkey that does not answer is told by the probe still waiting.
      timer ??= setInterval(() => {
        if (pending.size === 0) measure().catch(() => undefined);
      }, deps.intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
