import type { SqlExecutor } from '../../../shared/storage/sql.js';
import { locks, takeLock } from '../../../shared/storage/locks.js';

// A tombstone keeps a receipt's place in its chain (id, session, seq, hashes) and nothing that names anyone.
const TOMBSTONE_STUDENT = `
UPDATE evidence.receipts SET erased = true, round = NULL, slot = NULL, student_id = NULL, device_id = NULL,
  credential_id = NULL, device_public_key = NULL, phone_public_key = NULL, challenge_id = NULL, challenge = NULL,
  rp_id = NULL, origins = NULL, authenticator_data = NULL, client_data_json = NULL, signature = NULL,
  user_handle = NULL, phone_signature = NULL
WHERE student_id = $1 AND hash IS NOT NULL`;
// Not yet chained: nothing links to them, so they can go whole.
const DELETE_UNSEALED_OF_STUDENT = `DELETE FROM evidence.receipts WHERE student_id = $1 AND hash IS NULL`;

// Per session, every sealed receipt up to the last one confirmed before the cut-off goes; the head keeps how
// many went and the last one's hash, which the first remaining receipt names as its prev_hash.
const PRUNE = `
WITH doomed AS (
  SELECT session_id, max(seq) AS through FROM evidence.receipts
  WHERE hash IS NOT NULL AND confirmed_at < $1 GROUP BY session_id
), last AS (
  SELECT r.session_id, r.seq, r.hash FROM evidence.receipts r JOIN doomed d ON d.session_id = r.session_id AND r.seq = d.through
), heads AS (
  UPDATE evidence.chain_heads h SET pruned_count = l.seq, pruned_through_hash = l.hash, updated_at = now()
  FROM last l WHERE h.session_id = l.session_id RETURNING h.session_id
)
DELETE FROM evidence.receipts r USING doomed d WHERE r.session_id = d.session_id AND r.seq <= d.through`;

/** Erasure and retention of receipts, inside the caller's transaction and under the sealer's lock. */
export const receiptRetention = {
  async eraseStudent(tx: SqlExecutor, studentId: string): Promise<number> {
    await takeLock(tx, locks.seal);
    const tombstoned = await tx.query(TOMBSTONE_STUDENT, [studentId]);
    const deleted = await tx.query(DELETE_UNSEALED_OF_STUDENT, [studentId]);
    return tombstoned.rowCount + deleted.rowCount;
  },
  async pruneBefore(tx: SqlExecutor, cutoff: Date): Promise<number> {
    await takeLock(tx, locks.seal);
    return (await tx.query(PRUNE, [cutoff])).rowCount;
  },
};
