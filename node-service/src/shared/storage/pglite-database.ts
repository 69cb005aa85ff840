import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type QueryResult, type SqlDatabase, type SqlExecutor } from './sql.js';

const INT8_OID = 20;

/**
 * Embedded PostgreSQL for a start with no environment. PGlite has a single backend: one connection, and
 * PGlite itself queues queries and holds transactions exclusively.
 */
export async function createPgliteDatabase(options: { dataDir: string }): Promise<SqlDatabase> {
  // `memory://` keeps everything in memory (tests); any other value is a folder that persists.
  if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    dataDir: options.dataDir,
    parsers: { [INT8_OID]: (value: string) => Number(value) },
  });

  // PGlite reports affectedRows 0 for a SELECT; like pg, rowCount counts the rows a SELECT returned.
  const run = async <R>(executor: Pick<PGlite, 'query'>, text: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    const result = await executor.query<R>(text, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
  };

  return {
    kind: 'pglite',
    query: (text, params) => run(db, text, params),
    exec: async (script) => void (await db.exec(script)),
    transaction: (work) =>
      db.transaction(async (raw) => {
        const tx: SqlExecutor = {
          query: (text, params) => run(raw, text, params),
          exec: async (script) => void (await raw.exec(script)),
        };
        return work(tx);
      }),
    async ping() {
      await db.query('SELECT 1');
    },
    // One embedded backend on a local folder: there is no replica to fail over to, and nothing to report.
    async writeRefusal() {
      await db.query('SELECT 1');
      return undefined;
    },
    onWriteRefusal: () => undefined,
    close: () => db.close(),
  };
}
