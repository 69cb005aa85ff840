import type { SqlDatabase, SqlExecutor } from '../../../shared/storage/sql.js';
import type { RetentionRepository } from '../application/ports.js';

const TRY_LOCK = `SELECT pg_try_advisory_xact_lock(hashtext('asistencia.privacy:retention')) AS locked`;
const LAST_RUN = `SELECT last_run_at FROM privacy.job_runs WHERE job = 'retention'`;
const NULL_ADDRESSES = `
UPDATE attendance.validations SET client_address = NULL WHERE client_address IS NOT NULL AND validated_at < $1`;
const RECORD_RUN = `
INSERT INTO privacy.job_runs (job, last_run_at, counts) VALUES ('retention', $1, $2)
ON CONFLICT (job) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, counts = EXCLUDED.counts`;
const MIN_GAP_MS = 23 * 60 * 60 * 1000;

export function createRetentionRepository(deps: { db: SqlDatabase; pruneReceipts(tx: SqlExecutor, cutoff: Date): Promise<number> }): RetentionRepository {
  return {
    runDaily: ({ now, addressCutoff, receiptCutoff }) =>
      deps.db.transaction(async (tx) => {
        if (!(await tx.query<{ locked: boolean }>(TRY_LOCK)).rows[0]?.locked) return null;
        const last = (await tx.query<{ last_run_at: Date }>(LAST_RUN)).rows[0]?.last_run_at;
        if (last && now.getTime() - last.getTime() < MIN_GAP_MS) return null;
        const clientAddressesNulled = (await tx.query(NULL_ADDRESSES, [addressCutoff])).rowCount;
        const receiptsPruned = await deps.pruneReceipts(tx, receiptCutoff);
        const counts = { clientAddressesNulled, receiptsPruned };
        await tx.query(RECORD_RUN, [now, JSON.stringify(counts)]);
        return counts;
      }),
  };
}
