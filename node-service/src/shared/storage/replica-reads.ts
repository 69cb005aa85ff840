import type { QueryResult, SqlExecutor } from './sql.js';

/**
 * The reads that may be seconds stale (reports, exports, standings, a student's history: docs/operations.md,
 * "High availability"), sent to a read-only PostgreSQL streaming standby while it is close enough behind the
 * primary, and to the primary otherwise. Nothing here ever writes, and nothing a caller is about to write
 * depends on what it reads.
 *
 * How far behind the standby is, is measured, not guessed: every probe reads the primary's WAL position
 * (pg_current_wal_lsn) and keeps it with the time it was read; the standby then says how far it has replayed
 * (pg_last_wal_replay_lsn). The standby holds everything the primary had committed at the latest kept time
 * whose position it has replayed: that time is how fresh it is. An idle primary leaves the standby fresh (its
 * position does not move), and a standby that lost its primary goes stale as the clock runs, whatever its
 * own replay timestamp says. pg_last_xact_replay_timestamp alone can tell neither apart.
 *
 * A read goes to the standby only while `now - freshAsOf <= maxLagMs`. A standby that fails a read (down,
 * restarting, a query cancelled by a recovery conflict) is set aside until the next probe finds it fresh,
 * and the read is answered by the primary: the standby never turns a request into an error.
 */
export interface ReplicaReads {
  /** A read-only statement, on the standby when it is fresh enough, on the primary otherwise. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Measures the standby's lag once now (the periodic probe does this every probeMs). */
  probe(): Promise<void>;
  /** Where reads go now, and why not to the standby when they do not (for `/ready` and a metric). */
  state(): ReplicaState;
  start(): void;
  stop(): void;
}

type ReplicaState = { serving: true; lagMs: number } | { serving: false; lagMs: number | null; reason: string };

/** The primary's WAL position at a moment (on the service's clock). */
interface Sample {
  at: number;
  lsn: bigint;
}

const PRIMARY_POSITION = 'SELECT pg_current_wal_lsn()::text AS lsn';
const STANDBY_POSITION = 'SELECT pg_is_in_recovery() AS in_recovery, pg_last_wal_replay_lsn()::text AS replayed';

/** A pg_lsn's text ('16/B374D848'): two hex halves of a 64-bit position. */
function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  if (high === undefined || low === undefined || !/^[0-9A-F]+$/i.test(high) || !/^[0-9A-F]+$/i.test(low)) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** The latest moment whose primary position the standby has replayed (undefined: none of those kept). */
function freshAsOf(samples: readonly Sample[], replayed: bigint): number | undefined {
  let latest: number | undefined;
  for (const sample of samples) if (sample.lsn <= replayed && (latest === undefined || sample.at > latest)) latest = sample.at;
  return latest;
}

export function createReplicaReads(deps: {
  primary: Pick<SqlExecutor, 'query'>;
  replica: Pick<SqlExecutor, 'query'>;
  /** DATABASE_REPLICA_MAX_LAG_SECONDS, in ms. */
  maxLagMs: number;
  /** DATABASE_REPLICA_PROBE_MS. */
  probeMs: number;
  now: () => number;
  /** A read the standby failed (answered by the primary instead), or a probe that failed. */
  report: (error: unknown, context: string) => void;
}): ReplicaReads {
  let samples: Sample[] = [];
  let fresh: number | undefined;
  /** Why the standby is set aside, until a probe finds it fresh again. */
  let setAside: string | undefined = 'not probed yet';
  let timer: NodeJS.Timeout | undefined;
  let probing: Promise<void> | undefined;

  const lagMs = () => (fresh === undefined ? null : Math.max(0, deps.now() - fresh));

  async function measure(): Promise<void> {
    const at = deps.now();
    const { rows: [primary] } = await deps.primary.query<{ lsn: string }>(PRIMARY_POSITION);
    // Positions older than the bound can only ever say "too far behind": not kept.
    samples = [...samples.filter((s) => at - s.at <= deps.maxLagMs), { at, lsn: parseLsn(primary!.lsn) }];
    try {
      const { rows: [standby] } = await deps.replica.query<{ in_recovery: boolean; replayed: string | null }>(STANDBY_POSITION);
      if (!standby!.in_recovery || standby!.replayed === null) {
        // A promoted standby, or a primary named by mistake: not a copy of this primary any more.
        fresh = undefined;
        setAside = 'not a standby (pg_is_in_recovery() is false)';
        return;
      }
      const asOf = freshAsOf(samples, parseLsn(standby!.replayed));
      if (asOf !== undefined && (fresh === undefined || asOf > fresh)) fresh = asOf;
      setAside = undefined;
    } catch (error) {
      fresh = undefined;
      setAside = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
      throw error;
    }
  }

  const probe = (): Promise<void> => {
    // One probe at a time: the timer and `/ready` may ask together.
    probing ??= measure().finally(() => (probing = undefined));
    return probing;
  };

  const state = (): ReplicaState => {
    const lag = lagMs();
    if (setAside !== undefined) return { serving: false, lagMs: lag, reason: `standby set aside: ${setAside}` };
    if (lag === null || lag > deps.maxLagMs) {
      return { serving: false, lagMs: lag, reason: `standby ${lag === null ? 'behind by an unknown time' : `${Math.round(lag)} ms behind`}, past DATABASE_REPLICA_MAX_LAG_SECONDS (${deps.maxLagMs / 1000} s)` };
    }
    return { serving: true, lagMs: lag };
  };

  return {
    async query<R>(text: string, params?: readonly unknown[]) {
      if (state().serving) {
        try {
          return await deps.replica.query<R>(text, params);
        } catch (error) {
          setAside = `a read failed: ${error instanceof Error ? error.message : String(error)}`;
          deps.report(error, 'a read failed on the PostgreSQL standby: answered by the primary, standby set aside until the next probe');
        }
      }
      return deps.primary.query<R>(text, params);
    },
    probe,
    state,
    start() {
      if (timer) return;
      // Told once per outage, not on every probe while it lasts.
      let failing = false;
      const tick = () =>
        probe().then(
          () => void (failing = false),
          (error: unknown) => {
            if (!failing) deps.report(error, 'PostgreSQL standby probe failed: reads go to the primary until one succeeds');
            failing = true;
          },
        );
      void tick();
      timer = setInterval(() => void tick(), deps.probeMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
