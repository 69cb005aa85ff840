import { locks, takeLock } from '../../../shared/storage/locks.js';
import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { Sealer } from '../application/ports.js';
import { genesisText, sealedText } from '../domain/receipt.js';
import { headFromRow, receiptFromRow } from './receipt-repository.js';
import { sha256Hex } from './signature-check.js';

const BATCH = 2000;

const SELECT_UNSEALED = `
SELECT id, session_id, round, slot, student_id, device_id, credential_id, device_public_key, phone_public_key,
  challenge_id, challenge, rp_id, origins, authenticator_data, client_data_json, signature, user_handle,
  phone_signature, confirmed_at, erased, seq, prev_hash, hash
FROM evidence.receipts WHERE hash IS NULL ORDER BY id LIMIT ${BATCH}`;
const SELECT_HEADS = `SELECT session_id, last_id, head_hash, sealed_count, pruned_count, pruned_through_hash
  FROM evidence.chain_heads WHERE session_id = ANY($1::uuid[])`;
const SEAL = `
UPDATE evidence.receipts r SET seq = u.seq, prev_hash = decode(u.prev, 'hex'), hash = decode(u.hash, 'hex'), sealed_at = now()
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS u(id, seq, prev, hash) WHERE r.id = u.id`;
const UPSERT_HEAD = `
INSERT INTO evidence.chain_heads (session_id, last_id, head_hash, sealed_count, updated_at)
VALUES ($1, $2, decode($3, 'hex'), $4, now())
ON CONFLICT (session_id) DO UPDATE SET last_id = EXCLUDED.last_id, head_hash = EXCLUDED.head_hash,
  sealed_count = evidence.chain_heads.sealed_count + $4, updated_at = now()`;

/**
 * Chains receipts after the scan inserted them: a scan never waits for its session's chain, so five hundred
 * confirmations of one session do not queue on one lock. Receipts are sealed in id order under one advisory
 * lock; each links to its session's head. Until sealed (at most one interval, and always before a verify or
 * an export), a receipt is protected only by the database's own access control: that is the window.
 */
export function createSealer(db: SqlDatabase): Sealer {
  const sealBatch = () =>
    db.transaction(async (tx) => {
      // One sealer at a time across every instance (and the receipts command).
      await takeLock(tx, locks.seal);
      const pending = (await tx.query(SELECT_UNSEALED)).rows.map((row) => receiptFromRow(row as never));
      if (pending.length === 0) return 0;
      const sessionIds = [...new Set(pending.map((r) => r.sessionId))];
      const heads = new Map((await tx.query(SELECT_HEADS, [sessionIds])).rows.map((row) => [row.session_id as string, headFromRow(row)]));
      const prevOf = new Map(sessionIds.map((id) => [id, heads.get(id)?.headHash ?? sha256Hex(genesisText(id))]));
      const seqOf = new Map(sessionIds.map((id) => [id, heads.get(id)?.sealedCount ?? 0]));
      const ids: number[] = [];
      const seqs: number[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      const added = new Map<string, { lastId: number; hash: string; count: number }>();
      for (const receipt of pending) {
        const prev = prevOf.get(receipt.sessionId)!;
        const seq = seqOf.get(receipt.sessionId)! + 1;
        const hash = sha256Hex(sealedText(receipt, seq, prev));
        ids.push(receipt.id);
        seqs.push(seq);
        seqOf.set(receipt.sessionId, seq);
        prevs.push(prev);
        hashes.push(hash);
        prevOf.set(receipt.sessionId, hash);
        const seen = added.get(receipt.sessionId);
        added.set(receipt.sessionId, { lastId: receipt.id, hash, count: (seen?.count ?? 0) + 1 });
      }
      await tx.query(SEAL, [ids, seqs, prevs, hashes]);
      for (const [sessionId, head] of added) await tx.query(UPSERT_HEAD, [sessionId, head.lastId, head.hash, head.count]);
      return pending.length;
    });

  return {
    async sealPending() {
      let total = 0;
      for (;;) {
        const sealed = await sealBatch();
        total += sealed;
        if (sealed < BATCH) return total;
      }
    },
  };
}
