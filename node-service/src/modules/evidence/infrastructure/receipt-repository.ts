import type { SqlDatabase, SqlExecutor } from '../../../shared/storage/sql.js';
import type { ReceiptRepository } from '../application/ports.js';
import type { ChainHead, Receipt, ReceiptEvidence } from '../domain/receipt.js';

// Times are kept to the millisecond so that the hashed ISO text and the stored value agree.
const RECEIPT_COLUMNS = `id, session_id, round, slot, student_id, device_id, credential_id, device_public_key,
  phone_public_key, challenge_id, challenge, rp_id, origins, authenticator_data, client_data_json, signature,
  user_handle, phone_signature, confirmed_at, erased, seq, prev_hash, hash`;

const SELECT_CHAIN = `SELECT ${RECEIPT_COLUMNS} FROM evidence.receipts WHERE session_id = $1 ORDER BY seq NULLS LAST, id`;
const SELECT_HEAD = `SELECT session_id, last_id, head_hash, sealed_count, pruned_count, pruned_through_hash
  FROM evidence.chain_heads WHERE session_id = $1`;
const SELECT_OF_STUDENT = `SELECT ${RECEIPT_COLUMNS} FROM evidence.receipts WHERE student_id = $1 ORDER BY id`;

const SESSIONS_ALL = `SELECT session_id FROM evidence.receipts UNION SELECT session_id FROM evidence.chain_heads ORDER BY 1`;
const SESSIONS_OF_COURSE = `SELECT id AS session_id FROM attendance.sessions WHERE course_id = $1 ORDER BY planned_start, id`;

const KEY_MISMATCHES = `
SELECT r.id FROM evidence.receipts r JOIN enrollment.devices d ON d.id = r.device_id
WHERE r.session_id = $1 AND NOT r.erased AND r.device_public_key <> d.public_key ORDER BY r.id`;

// Erased students' validations carry an anonymous id and no receipt by design; after retention pruned part
// of a chain, confirmations older than its oldest remaining receipt have none either.
const VALIDATIONS_WITHOUT_RECEIPT = `
SELECT v.round, v.student_id FROM attendance.validations v
WHERE v.session_id = $1 AND v.student_id NOT LIKE 'erased-%'
  AND NOT EXISTS (SELECT 1 FROM evidence.chain_heads h WHERE h.session_id = v.session_id AND h.pruned_count > 0
                  AND v.validated_at < coalesce((SELECT min(r.confirmed_at) FROM evidence.receipts r WHERE r.session_id = v.session_id), 'infinity'))
  AND NOT EXISTS (SELECT 1 FROM evidence.receipts r
                  WHERE r.session_id = v.session_id AND r.round = v.round AND r.student_id = v.student_id)
ORDER BY v.round, v.student_id`;

interface ReceiptRow {
  id: string | number;
  session_id: string;
  round: number | null;
  slot: string | number | null;
  student_id: string | null;
  device_id: string | number | null;
  credential_id: string | null;
  device_public_key: Uint8Array | null;
  phone_public_key: Uint8Array | null;
  challenge_id: string | null;
  challenge: string | null;
  rp_id: string | null;
  origins: string[] | null;
  authenticator_data: Uint8Array | null;
  client_data_json: Uint8Array | null;
  signature: Uint8Array | null;
  user_handle: Uint8Array | null;
  phone_signature: Uint8Array | null;
  confirmed_at: Date;
  erased: boolean;
  seq: string | number | null;
  prev_hash: Uint8Array | null;
  hash: Uint8Array | null;
}

const b64 = (value: Uint8Array) => Buffer.from(value).toString('base64url');
const hex = (value: Uint8Array | null) => (value ? Buffer.from(value).toString('hex') : null);

export function receiptFromRow(row: ReceiptRow): Receipt {
  const evidence: ReceiptEvidence | null = row.erased
    ? null
    : {
        round: Number(row.round),
        slot: Number(row.slot),
        studentId: row.student_id!,
        deviceId: Number(row.device_id),
        credentialId: row.credential_id!,
        devicePublicKey: b64(row.device_public_key!),
        phonePublicKey: b64(row.phone_public_key!),
        challengeId: row.challenge_id!,
        challenge: row.challenge!,
        rpId: row.rp_id!,
        origins: row.origins!,
        authenticatorData: b64(row.authenticator_data!),
        clientDataJSON: b64(row.client_data_json!),
        signature: b64(row.signature!),
        userHandle: row.user_handle ? b64(row.user_handle) : null,
        phoneSignature: b64(row.phone_signature!),
      };
  return {
    id: Number(row.id),
    sessionId: row.session_id,
    confirmedAt: row.confirmed_at.toISOString(),
    erased: row.erased,
    evidence,
    seq: row.seq === null ? null : Number(row.seq),
    prevHash: hex(row.prev_hash),
    hash: hex(row.hash),
  };
}

export function headFromRow(row: Record<string, unknown>): ChainHead {
  return {
    sessionId: row.session_id as string,
    lastId: Number(row.last_id),
    headHash: hex(row.head_hash as Uint8Array)!,
    sealedCount: Number(row.sealed_count),
    prunedCount: Number(row.pruned_count),
    prunedThroughHash: hex(row.pruned_through_hash as Uint8Array | null),
  };
}

// evidence.keep_receipts (database/functions/evidence.keep_receipts.sql) takes byte fields as hex: base64url
// decoded here, as leniently as before. Change both together.
const hexOf = (base64url: string) => Buffer.from(base64url, 'base64url').toString('hex');

export function createReceiptRepository(db: SqlDatabase): ReceiptRepository & { ofStudent(studentId: string, tx?: SqlExecutor): Promise<Receipt[]> } {
  return {
    document(e) {
      return {
        ...e,
        devicePublicKey: hexOf(e.devicePublicKey),
        phonePublicKey: hexOf(e.phonePublicKey),
        authenticatorData: hexOf(e.authenticatorData),
        clientDataJSON: hexOf(e.clientDataJSON),
        signature: hexOf(e.signature),
        userHandle: e.userHandle === null ? null : hexOf(e.userHandle),
        phoneSignature: hexOf(e.phoneSignature),
      };
    },
    async chainOf(sessionId) {
      const [receipts, head] = await Promise.all([db.query<ReceiptRow>(SELECT_CHAIN, [sessionId]), db.query(SELECT_HEAD, [sessionId])]);
      return { receipts: receipts.rows.map(receiptFromRow), head: head.rows[0] ? headFromRow(head.rows[0]) : null };
    },
    async sessionIds(scope) {
      if (scope === 'all') return (await db.query<{ session_id: string }>(SESSIONS_ALL)).rows.map((r) => r.session_id);
      if ('courseId' in scope) return (await db.query<{ session_id: string }>(SESSIONS_OF_COURSE, [scope.courseId])).rows.map((r) => r.session_id);
      return [scope.sessionId];
    },
    async keyMismatches(sessionId) {
      return (await db.query<{ id: string }>(KEY_MISMATCHES, [sessionId])).rows.map((r) => Number(r.id));
    },
    async validationsWithoutReceipt(sessionId) {
      const { rows } = await db.query<{ round: number; student_id: string }>(VALIDATIONS_WITHOUT_RECEIPT, [sessionId]);
      return rows.map((r) => ({ round: r.round, studentId: r.student_id }));
    },
    async ofStudent(studentId, tx = db) {
      return (await tx.query<ReceiptRow>(SELECT_OF_STUDENT, [studentId])).rows.map(receiptFromRow);
    },
  };
}
