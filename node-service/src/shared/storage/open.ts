import type { Config } from '../../config/env.js';
import type { KeyValueStore } from './key-value.js';
import { createMemoryStore } from './memory-store.js';
import { createPgDatabase } from './pg-database.js';
import type { SqlDatabase } from './sql.js';
import { createValkeyStore } from './valkey-store.js';

/** Real PostgreSQL when DATABASE_URL is set, embedded PGlite under DATA_DIR otherwise. */
export async function openDatabase(config: Pick<Config, 'database'>): Promise<SqlDatabase> {
  if ('url' in config.database) {
    const { url, poolSize, connectionTimeoutMs, statementTimeoutMs, maxWaiting, refusalHoldMs } = config.database;
    return createPgDatabase({ url, poolSize, limits: { connectionTimeoutMs, statementTimeoutMs, maxWaiting, refusalHoldMs } });
  }
  // Loaded only when used: embedded PostgreSQL weighs memory a real deployment never needs.
  const { createPgliteDatabase } = await import('./pglite-database.js');
  return createPgliteDatabase({ dataDir: config.database.dataDir });
}

/**
 * The read-only standby named by DATABASE_REPLICA_URL (undefined when unset), with the primary's pool size
 * and limits; connections are named `asistencia-replica` in pg_stat_activity. Only the reads that may be
 * seconds stale go there (shared/storage/replica-reads.ts).
 */
export function openReplica(config: Pick<Config, 'database'>): SqlDatabase | undefined {
  if (!('url' in config.database) || !config.database.replica) return undefined;
  const { poolSize, connectionTimeoutMs, statementTimeoutMs, maxWaiting, refusalHoldMs } = config.database;
  return createPgDatabase({
    url: config.database.replica.url,
    poolSize,
    applicationName: 'asistencia-replica',
    limits: { connectionTimeoutMs, statementTimeoutMs, maxWaiting, refusalHoldMs },
  });
}

/** Valkey when VALKEY_URL or VALKEY_SENTINELS is set, the in-process store (single instance only) otherwise. */
export function openKeyValueStore(config: Pick<Config, 'valkey'>): KeyValueStore {
  return 'url' in config.valkey ? createValkeyStore(config.valkey) : createMemoryStore();
}
