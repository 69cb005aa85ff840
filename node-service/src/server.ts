import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/env.js';
import { migrate, MigrationError } from './shared/storage/migrations.js';
import { openDatabase, openKeyValueStore, openReplica } from './shared/storage/open.js';

/**
 * Loads the configuration, opens the stores, applies migrations, listens, and shuts down gracefully:
 * stop accepting, tell WebSockets to reconnect (1012), drain in-flight requests (answers carry
 * `Connection: close` and idle keep-alive sockets are closed: shared/http/drain.ts), close the pools, exit 0
 * within SHUTDOWN_TIMEOUT_MS.
 */
async function serve(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config);
  const store = openKeyValueStore(config);
  const replica = openReplica(config);
  const { server, gateway } = await buildApp({ config, db, store, ...(replica ? { replica } : {}) });
  const log = server.log;

  log.info(
    {
      database: db.kind === 'pglite' ? `embedded PGlite in ${'dataDir' in config.database ? config.database.dataDir : ''}` : 'PostgreSQL (DATABASE_URL)',
      replica: replica ? 'PostgreSQL standby (DATABASE_REPLICA_URL) for reports, exports, standings and histories' : 'none: the primary serves every read',
      keyValue: store.kind === 'memory' ? 'in-process store: single instance only, set VALKEY_URL to run several' : 'Valkey (VALKEY_URL)',
    },
    'stores opened',
  );
  if (config.devSignIn) {
    log.warn(`no JWT secret configured: DEVELOPMENT sign-in enabled at ${config.basePath}/dev/ with a per-run secret`);
  }

  const report = await migrate(db, config.migrationsDir, config.functionsDir);
  log.info({ applied: report.applied, version: report.version, functions: report.functions }, 'migrations up to date');

  closeWithGrace({ delay: config.limits.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    gateway.closeAll();
    await server.close();
    await Promise.allSettled([db.close(), store.close(), replica?.close()]);
  });

  await server.listen({ host: config.host, port: config.port });
  log.info(`Asistencia ready at ${config.publicUrl.origin}${config.basePath}/`);
}

/** Starts the service (main.ts calls it once the Node.js version is known to be supported); a failure exits 1. */
export async function startServer(): Promise<void> {
  try {
    await serve();
  } catch (error: unknown) {
    if (error instanceof ConfigError || error instanceof MigrationError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  }
}
