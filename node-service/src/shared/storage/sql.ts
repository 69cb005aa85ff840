import type { WriteRefusal, WriteRefusalEvent } from './write-refusals.js';

/**
 * The port to the relational store. Two adapters speak it: `pg` against a real PostgreSQL, and PGlite
 * (embedded PostgreSQL) for a start with no environment. Same migrations, same SQL, same contract tests.
 */

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements, with no parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  /**
   * Whether PostgreSQL accepts writes now (for readiness): asks the server whether it is read-only or a
   * standby, and remembers writes refused recently (a full disk shows only when writing). Throws when
   * PostgreSQL cannot be reached at all.
   */
  writeRefusal(): Promise<WriteRefusal | undefined>;
  /** Every refused statement, and the end of an episode of refusals (for a log line and a metric). */
  onWriteRefusal(listener: (event: WriteRefusalEvent) => void): void;
  close(): Promise<void>;
}

/** SQLSTATE codes the application reacts to. */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
} as const;

export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
