/**
 * PostgreSQL reachable but refusing writes: a read-only server (a failover to a replica, a hot standby,
 * `default_transaction_read_only`), a server starting up or in recovery, a full disk or other exhausted
 * resources. Requests it refuses answer 503 like an outage (pg-database.ts); this keeps what an operator
 * needs: the cause, for `/ready`, a log line and a metric, while it lasts.
 */

export type WriteRefusalCause =
  | 'read_only'
  | 'hot_standby'
  | 'in_recovery'
  | 'disk_full'
  | 'out_of_memory'
  | 'too_many_connections'
  | 'configuration_limit_exceeded'
  | 'insufficient_resources';

export interface WriteRefusal {
  cause: WriteRefusalCause;
  /** The SQLSTATE PostgreSQL answered with (or the probe's finding, for a hot standby seen idle). */
  sqlstate: string;
  /** PostgreSQL's own words. */
  message: string;
}

/** The cause a SQLSTATE names, if it says PostgreSQL refuses writes (or any work) for now. */
export function refusalCause(sqlstate: string | undefined): WriteRefusalCause | undefined {
  if (sqlstate === undefined) return undefined;
  if (sqlstate === '25006') return 'read_only';
  if (sqlstate === '57P03') return 'in_recovery';
  if (sqlstate === '53100') return 'disk_full';
  if (sqlstate === '53200') return 'out_of_memory';
  if (sqlstate === '53300') return 'too_many_connections';
  if (sqlstate === '53400') return 'configuration_limit_exceeded';
  if (sqlstate.startsWith('53')) return 'insufficient_resources';
  return undefined;
}

/** What the readiness probe reads: `SELECT pg_is_in_recovery(), current_setting('transaction_read_only')`. */
export function probedRefusal(probe: { inRecovery: boolean; readOnly: boolean }): WriteRefusal | undefined {
  if (probe.inRecovery) return { cause: 'hot_standby', sqlstate: '25006', message: 'the server is a hot standby (pg_is_in_recovery)' };
  if (probe.readOnly) return { cause: 'read_only', sqlstate: '25006', message: 'new transactions are read-only (transaction_read_only = on)' };
  return undefined;
}

export type WriteRefusalEvent =
  /** A statement was refused (every time: the metric counts them); `began` on the first of an episode. */
  | { kind: 'refused'; refusal: WriteRefusal; began: boolean }
  /** Writes are accepted again (a write succeeded, or the probe found the server writable). */
  | { kind: 'accepted'; refusal: WriteRefusal };

/**
 * The current episode of refusals. It lasts until a write succeeds, the probe finds the server writable
 * (for what the probe can see), or `holdMs` pass with no refusal (a full disk the service no longer writes to).
 */
export function createWriteRefusals(options: { holdMs: number; now?: () => number }) {
  const now = options.now ?? (() => performance.now());
  const listeners: Array<(event: WriteRefusalEvent) => void> = [];
  let episode: { refusal: WriteRefusal; lastAt: number } | undefined;

  const emit = (event: WriteRefusalEvent) => listeners.forEach((listener) => listener(event));
  const end = () => {
    if (!episode) return;
    const { refusal } = episode;
    episode = undefined;
    emit({ kind: 'accepted', refusal });
  };

  return {
    refused(refusal: WriteRefusal): void {
      const began = current() === undefined;
      episode = { refusal, lastAt: now() };
      emit({ kind: 'refused', refusal, began });
    },
    /** A write (or a commit) succeeded. */
    accepted: end,
    /** The probe's finding: a refusal it sees, or writable (which ends only what a probe can see). */
    probed(found: WriteRefusal | undefined): void {
      if (found) return this.refused(found);
      if (episode && (episode.refusal.cause === 'read_only' || episode.refusal.cause === 'hot_standby')) end();
    },
    current,
    onEvent(listener: (event: WriteRefusalEvent) => void): void {
      listeners.push(listener);
    },
  };

  function current(): WriteRefusal | undefined {
    if (episode && now() - episode.lastAt > options.holdMs) end();
    return episode?.refusal;
  }
}

export type WriteRefusals = ReturnType<typeof createWriteRefusals>;
