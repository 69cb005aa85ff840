import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { openDatabase } from '../shared/storage/open.js';
import type { SqlDatabase } from '../shared/storage/sql.js';

/**
 * How every command-line tool ends: `main` gives the exit code; a bad setting is one line naming it, any
 * other failure its stack, and exit code 1.
 */
export function runCli(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${message}\n`);
      process.exit(1);
    },
  );
}

/** The configured database for the length of `work`, closed after whatever happens. */
export async function withConfiguredDatabase<T>(work: (db: SqlDatabase, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    return await work(db, config);
  } finally {
    await db.close();
  }
}
