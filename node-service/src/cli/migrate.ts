/**
 * `npm run migrate`: applies database/migrations, then database/functions, to the configured database (DATABASE_URL, or the
 * embedded PGlite under DATA_DIR) with the same runner the service uses at start-up, then exits.
 */
import { ConfigError, loadConfig } from '../config/env.js';
import { migrate, MigrationError } from '../shared/storage/migrations.js';
import { openDatabase } from '../shared/storage/open.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const report = await migrate(db, config.migrationsDir, config.functionsDir);
    const applied = report.applied.length > 0 ? report.applied.join(', ') : 'nothing to apply';
    process.stdout.write(`Migrations up to date (version ${report.version}): ${applied}; functions re-created: ${report.functions.join(', ') || 'none'}\n`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof MigrationError;
  process.stderr.write(`${known ? (error as Error).message : `Migration failed: ${String(error)}`}\n`);
  process.exit(1);
});
