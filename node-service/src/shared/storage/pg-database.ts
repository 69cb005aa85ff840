import { createHash } from 'node:crypto';
import pg from 'pg';
import { advisoryLockSql, type QueryResult, type SqlDatabase, type SqlExecutor } from './sql.js';

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

export function createPgDatabase(options: { url: string; poolSize: number; applicationName?: string }): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    application_name: options.applicationName ?? 'asistencia',
    types,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);

  const run = async <R>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    const result = await client.query(params && params.length > 0 ? { name: statementName(text), text, values: params as unknown[] } : text);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  };

  return {
    kind: 'postgres',
    query: (text, params) => run(pool, text, params),
    exec: async (script) => void (await pool.query(script)),
    async transaction(work, options = {}) {
      const client = await pool.connect();
      const tx: SqlExecutor = {
        query: (text, params) => run(client, text, params),
        exec: async (script) => void (await client.query(script)),
      };
      try {
        // One round trip: BEGIN and, when asked, the shared lock (a simple-protocol query may hold both).
        await client.query(options.sharedLock ? `BEGIN; ${advisoryLockSql('shared', options.sharedLock)}` : 'BEGIN');
        const value = await work(tx);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

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
