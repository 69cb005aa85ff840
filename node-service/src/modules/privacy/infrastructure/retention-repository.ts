import { locks, tryLock } from '../../../shared/storage/locks.js';
import type { SqlDatabase, SqlExecutor } from '../../../shared/storage/sql.js';
import type { RetentionRepository } from '../application/ports.js';

const LAST_RUN = `SELECT last_run_at FROM privacy.job_runs WHERE job = 'retention'`;
const NULL_ADDRESSES = `
UPDATE attendance.validations SET client_address = NULL WHERE client_address IS NOT NULL AND validated_at < $1`;
/** Drops each use's `network` from a `shared_device` alert's evidence (scan/domain/sharing.ts), on the device
 *  and in its history row: client networks are kept no longer than client addresses. */
const withoutNetworks = `jsonb_set(details, '{uses}', (SELECT jsonb_agg(u - 'network') FROM jsonb_array_elements(details->'uses') u))`;
const ERASE_SHARING_NETWORKS = `
WITH alerts AS (
  UPDATE enrollment.device_alerts SET details = ${withoutNetworks}
  WHERE reason = 'shared_device' AND raised_at < $1 AND jsonb_path_exists(details, '$.uses[*].network')
  RETURNING 1
), history AS (
  UPDATE enrollment.enrollment_history SET details = ${withoutNetworks}
  WHERE reason = 'shared_device' AND occurred_at < $1 AND jsonb_path_exists(details, '$.uses[*].network')
  RETURNING 1
)
SELECT ((SELECT count(*) FROM alerts) + (SELECT count(*) FROM history))::int AS erased`;
const RECORD_RUN = `
INSERT INTO privacy.job_runs (job, last_run_at, counts) VALUES ('retention', $1, $2)
ON CONFLICT (job) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, counts = EXCLUDED.counts`;
const MIN_GAP_MS = 23 * 60 * 60 * 1000;

export function createRetentionRepository(deps: { db: SqlDatabase; pruneReceipts(tx: SqlExecutor, cutoff: Date): Promise<number> }): RetentionRepository {
  return {
    runDaily: ({ now, addressCutoff, receiptCutoff }) =>
      deps.db.transaction(async (tx) => {
        if (!(await tryLock(tx, locks.retention))) return null;
        const last = (await tx.query<{ last_run_at: Date }>(LAST_RUN)).rows[0]?.last_run_at;
        if (last && now.getTime() - last.getTime() < MIN_GAP_MS) return null;
        const clientAddressesNulled = (await tx.query(NULL_ADDRESSES, [addressCutoff])).rowCount;
        const sharingNetworksErased = (await tx.query<{ erased: number }>(ERASE_SHARING_NETWORKS, [addressCutoff])).rows[0]!.erased;
        const receiptsPruned = await deps.pruneReceipts(tx, receiptCutoff);
        const counts = { clientAddressesNulled, sharingNetworksErased, receiptsPruned };
        await tx.query(RECORD_RUN, [now, JSON.stringify(counts)]);
        return counts;
      }),
  };
}
