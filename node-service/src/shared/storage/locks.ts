import type { SqlExecutor } from './sql.js';

/**
 * Every PostgreSQL advisory lock the service takes, with its key, in one place (docs/architecture.md,
 * "Advisory locks"). All are transaction-level: released at commit or rollback.
 *
 * A key is text, a fixed prefix and the subject it guards, hashed by PostgreSQL into the bigint the lock
 * functions take. Two hash functions are in use, each kept as its lock was first written: hashtext (32 bits)
 * and hashtextextended(text, 0) (64 bits). Changing a key's text or hash would let an instance still
 * running the previous release (during an upgrade) and one running this one hold "the same" lock at once.
 *
 * Two keys are also built outside TypeScript, and test/storage/locks.test.ts holds them equal to these:
 * `session` in database/functions/attendance.record_confirmations.sql (shared, while a batch records) and
 * `migrations` in database/init.sh (the container's first start).
 */

type Hash = 'hashtext' | 'hashtextextended';

export interface AdvisoryLock<Subject extends [] | [string]> {
  readonly hash: Hash;
  /** The key's text for one subject. */
  key(...subject: Subject): string;
}

function advisoryLock<Subject extends [] | [string]>(
  prefix: string,
  hash: Hash,
  normalise: (subject: string) => string = (subject) => subject,
): AdvisoryLock<Subject> {
  return { hash, key: (...subject) => prefix + (subject[0] === undefined ? '' : normalise(subject[0])) };
}

export const locks = {
  /** Applying the migrations and the function files (migrations.ts, database/init.sh). */
  migrations: advisoryLock<[]>('asistencia.migrations', 'hashtext'),
  /**
   * A session's rounds and state: held shared by attendance.record_confirmations for each session of a
   * batch, alone by a round change or close (attendance/infrastructure/session-repository.ts).
   */
  session: advisoryLock<[sessionId: string]>('attendance.session:', 'hashtextextended', (id) => id.toLowerCase()),
  /** A course's minimum attendance and its standings (attendance/infrastructure/standing-repository.ts). */
  courseMinimum: advisoryLock<[courseId: string]>('attendance.course-minimum:', 'hashtextextended'),
  /**
   * A student's devices and data: enrolment and revocation (enrollment/infrastructure/device-repository.ts)
   * against erasure and export (privacy/infrastructure/student-data-repository.ts).
   */
  student: advisoryLock<[studentId: string]>('asistencia.enrollment:', 'hashtext'),
  /** A phone key's binding to devices (enrollment/infrastructure/device-repository.ts). */
  phoneKey: advisoryLock<[phoneKeyId: string]>('asistencia.phone-key:', 'hashtext'),
  /** One retention run at a time across instances (privacy/infrastructure/retention-repository.ts). */
  retention: advisoryLock<[]>('asistencia.privacy:retention', 'hashtext'),
  /** One run of the warnings by e-mail at a time across instances (notifications/infrastructure/mail-ledger.ts). */
  mail: advisoryLock<[]>('asistencia.notifications:mail', 'hashtext'),
  /** One sealer, or receipt pruning, at a time (evidence/infrastructure/sealer.ts, receipt-retention.ts). */
  seal: advisoryLock<[]>('asistencia.evidence:seal', 'hashtext'),
} as const;

/** The lock's key as a SQL expression of its text, `$1`: the bigint pg_advisory_* take. */
export function keySql(lock: AdvisoryLock<[] | [string]>, text = '$1'): string {
  return lock.hash === 'hashtext' ? `hashtext(${text})` : `hashtextextended(${text}, 0)`;
}

/** Takes the lock, exclusive, until the transaction ends; waits while another transaction holds it. */
export async function takeLock<Subject extends [] | [string]>(
  tx: SqlExecutor,
  lock: AdvisoryLock<Subject>,
  ...subject: Subject
): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${keySql(lock)})`, [lock.key(...subject)]);
}

/** Takes the lock, exclusive, until the transaction ends, if nobody holds it: false when somebody does. */
export async function tryLock<Subject extends [] | [string]>(
  tx: SqlExecutor,
  lock: AdvisoryLock<Subject>,
  ...subject: Subject
): Promise<boolean> {
  const { rows } = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${keySql(lock)}) AS locked`, [
    lock.key(...subject),
  ]);
  return rows[0]?.locked === true;
}

/**
 * takeLock as one statement of plain text, for `exec` (no parameters, no prepared statement): the key is
 * inlined, so it must be made of ids the service has validated.
 */
export function lockStatement<Subject extends [] | [string]>(lock: AdvisoryLock<Subject>, ...subject: Subject): string {
  const key = lock.key(...subject);
  if (!/^[\w.:-]{1,200}$/.test(key)) throw new Error(`unsafe advisory lock key: ${key}`);
  return `SELECT pg_advisory_xact_lock(${keySql(lock, `'${key}'`)})`;
}
