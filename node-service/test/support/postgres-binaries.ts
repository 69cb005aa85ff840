import { execFileSync } from 'node:child_process';

/**
 * PostgreSQL servers of a test's own (a streaming standby, Patroni's members): Debian's PostgreSQL 15
 * binaries, run as the `postgres` user, which owns their data directories.
 */
export const POSTGRES_BIN_DIR = process.env.TEST_POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

export function postgresUser(): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
  };
}
