import { createHash } from 'node:crypto';
import pg from 'pg';
import { isAppError } from '../errors.js';
import { requestDeadline, unavailable } from '../request-deadline.js';
import { type QueryResult, type SqlDatabase, type SqlExecutor } from './sql.js';
import { createWriteRefusals, probedRefusal, refusalCause, type WriteRefusal, type WriteRefusals } from './write-refusals.js';

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;

// int8 values here are ids and sign counters, far below 2^53: numbers are easier to use than strings.
// Arrays of them too (e.g. array_agg(id)), as PGlite returns them.
// (The typings only list scalar type ids; pg-types does parse arrays, into strings for int8[].)
const builtInParser = pg.types.getTypeParser as (oid: number, format: 'text') => (value: string) => unknown;
const parseInt8Array = (value: string) =>
  (builtInParser(INT8_ARRAY_OID, 'text')(value) as (string | null)[]).map((v) => (v === null ? null : Number(v)));
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : oid === INT8_ARRAY_OID
        ? parseInt8Array
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PgLimits {
  /** Longest wait for a pooled connection (and for a new one to connect). */
  connectionTimeoutMs: number;
  /** statement_timeout of a request's statements, lowered to what the request's deadline leaves. */
  statementTimeoutMs: number;
  /** Queries waiting for a connection at most: past it, a request is refused at once. */
  maxWaiting: number;
  /** How long an episode of refused writes is remembered with no new refusal (DATABASE_REFUSAL_HOLD_MS). */
  refusalHoldMs: number;
}

/** Unbounded: for tools (migrations, the operators' command line) that may wait as long as they need. */
const UNBOUNDED: PgLimits = { connectionTimeoutMs: 0, statementTimeoutMs: 0, maxWaiting: Number.POSITIVE_INFINITY, refusalHoldMs: 10_000 };

/**
 * SQLSTATEs that say PostgreSQL is unavailable or gave up waiting, not that the request is wrong. Those
 * that say it refuses writes for now (read-only 25006, starting or in recovery 57P03, class 53: disk full,
 * out of memory, too many connections) are also remembered as an episode (write-refusals.ts).
 */
const UNAVAILABLE_STATES = new Set(['57014', '57P01', '57P02', '57P03', '55P03', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGE = /timeout exceeded when trying to connect|Connection terminated|Query read timeout|not queryable/;
const STATEMENT_CANCELLED = '57014';

/** Statements whose success shows PostgreSQL accepts writes again. */
const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * An outage, a wait given up or writes refused become 503 SERVICE_UNAVAILABLE (refusals are also told to
 * `refusals`); anything else is left as it is.
 */
function translated(error: unknown, refusals: WriteRefusals): unknown {
  if (isAppError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const cause = refusalCause(typeof code === 'string' ? code : undefined);
  if (cause) {
    refusals.refused({ cause, sqlstate: code as string, message });
    return unavailable('postgres', `refusing writes (${cause}, SQLSTATE ${code as string}): ${message}`);
  }
  if ((typeof code === 'string' && (UNAVAILABLE_STATES.has(code) || UNAVAILABLE_ERRNOS.has(code))) || UNAVAILABLE_MESSAGE.test(message)) {
    return unavailable('postgres', message);
  }
  return error;
}

/**
 * PostgreSQL through a pg pool. Inside an HTTP request, nothing waits past the request's deadline
 * (REQUEST_DEADLINE_MS, shared/request-deadline.ts): a connection is awaited at most what the deadline
 * leaves, a statement runs under a statement_timeout of at most that, and past `maxWaiting` queued queries
 * a request is refused at once. PostgreSQL itself cancels a statement that runs out of time, so a
 * statement the caller was told failed was never committed.
 */
export function createPgDatabase(options: { url: string; poolSize: number; applicationName?: string; limits?: PgLimits }): SqlDatabase {
  const limits = options.limits ?? UNBOUNDED;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    application_name: options.applicationName ?? 'asistencia',
    types,
    ...(limits.connectionTimeoutMs > 0 ? { connectionTimeoutMillis: limits.connectionTimeoutMs } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor a checked-out client whose connection drops mid-query: the query itself rejects, and that is what
  // the caller hears (as 503); the client's own 'error' event would otherwise be an uncaught exception.
  pool.on('connect', (client) => client.on('error', () => undefined));
  // The statement_timeout each pooled connection runs with now (0: none), to set it only when it changes.
  const timeouts = new WeakMap<pg.PoolClient, number>();
  const refusals = createWriteRefusals({ holdMs: limits.refusalHoldMs });

  const remaining = (): number | undefined => {
    const left = requestDeadline.remainingMs();
    if (left !== undefined && left <= 0) throw unavailable('postgres', 'request deadline passed');
    return left;
  };

  /** A pooled connection, awaited no longer than the request's deadline leaves. */
  async function acquire(): Promise<pg.PoolClient> {
    const left = remaining();
    if (left === undefined) return pool.connect();
    if (pool.waitingCount >= limits.maxWaiting) throw unavailable('postgres', `${pool.waitingCount} queries already waiting`);
    if (limits.connectionTimeoutMs > 0 && left >= limits.connectionTimeoutMs) return pool.connect();
    const pending = pool.connect();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable('postgres', 'request deadline passed waiting for a connection')), left);
    });
    try {
      return await Promise.race([pending, expired]);
    } catch (error) {
      // Handed over after we gave up: straight back to the pool.
      pending.then((client) => client.release(), () => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sets the connection's statement_timeout for what comes next; returns it (0: none). */
  async function bound(client: pg.PoolClient): Promise<number> {
    const left = remaining();
    // Whole seconds of what is left (at most a second past the deadline): a connection keeps its setting
    // from one query to the next, instead of a SET round trip before nearly every statement of a busy burst.
    const wanted = left === undefined ? 0 : Math.max(1, Math.min(Math.ceil(left / 1000) * 1000, limits.statementTimeoutMs || Infinity));
    if (timeouts.get(client) !== wanted) {
      await client.query(`SET statement_timeout = ${wanted}`);
      timeouts.set(client, wanted);
    }
    return wanted;
  }

  const run = async <R>(client: pg.PoolClient, text: string, params: readonly unknown[] | undefined, timeoutMs: number): Promise<QueryResult<R>> => {
    // A server that stops answering altogether: give up a second after PostgreSQL should have.
    const named = params && params.length > 0 ? { name: statementName(text) } : {};
    const config = { ...named, text, values: params as unknown[] | undefined, ...(timeoutMs > 0 ? { query_timeout: timeoutMs + 1000 } : {}) };
    const result = await client.query(config);
    if (WRITES.has(result.command)) refusals.accepted();
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  };

  /** One connection for `work`; a connection that failed (not a statement cancelled in time) is discarded. */
  async function withClient<T>(work: (client: pg.PoolClient, timeoutMs: number) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await acquire();
    } catch (error) {
      throw translated(error, refusals);
    }
    let discard = false;
    try {
      return await work(client, await bound(client));
    } catch (error) {
      const outcome = translated(error, refusals);
      discard = outcome !== error && (error as { code?: unknown }).code !== STATEMENT_CANCELLED;
      throw outcome;
    } finally {
      client.release(discard);
    }
  }

  return {
    kind: 'postgres',
    query: (text, params) => withClient((client, timeoutMs) => run(client, text, params, timeoutMs)),
    exec: (script) => withClient(async (client, timeoutMs) => void (await run(client, script, undefined, timeoutMs))),
    transaction: (work) =>
      withClient(async (client, timeoutMs) => {
        // Each statement of the transaction is refused once the request's deadline has passed.
        const tx: SqlExecutor = {
          query: async (text, params) => {
            remaining();
            return run(client, text, params, timeoutMs);
          },
          exec: async (script) => {
            remaining();
            await run(client, script, undefined, timeoutMs);
          },
        };
        try {
          await client.query('BEGIN');
          const value = await work(tx);
          await client.query('COMMIT');
          return value;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    async ping() {
      await pool.query('SELECT 1');
    },
    async writeRefusal() {
      try {
        const client = await acquire();
        let found: WriteRefusal | undefined;
        try {
          const { rows } = await client.query<{ in_recovery: boolean; read_only: boolean }>(WRITE_PROBE);
          found = probedRefusal({ inRecovery: rows[0]!.in_recovery, readOnly: rows[0]!.read_only });
        } catch (error) {
          client.release(true);
          throw error;
        }
        // A connection found read-only is not kept (a session keeps default_transaction_read_only as it was
        // when it began): the next probe asks another, or a new one. One refused a write is discarded too.
        client.release(found !== undefined);
        refusals.probed(found);
      } catch (error) {
        // Starting up or in recovery (57P03) is a refusal with a cause; anything else, PostgreSQL out of reach.
        translated(error, refusals);
        if (!refusals.current()) throw error;
      }
      return refusals.current();
    },
    onWriteRefusal: (listener) => refusals.onEvent(listener),
    close: () => pool.end(),
  };
}

/** What the readiness probe asks: would a new transaction here be able to write? */
const WRITE_PROBE = "SELECT pg_is_in_recovery() AS in_recovery, current_setting('transaction_read_only') = 'on' AS read_only";

/**
 * Every parameterised statement is prepared once per connection, under a name derived from its text: the
 * service's SQL is constant text with $n parameters, so the names are few and the plans are reused instead
 * of being made on every call (pg's named statements). Scripts without parameters run as they are.
 */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `q_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}
