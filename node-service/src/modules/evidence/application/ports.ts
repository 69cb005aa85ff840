import type { ChainHead, Receipt, ReceiptEvidence } from '../domain/receipt.js';

export interface ReceiptRepository {
  /**
   * One unchained receipt (the sealer chains it) as the JSON document evidence.keep_receipts stores: the
   * confirmation's own statement writes it, so that the two are committed together.
   */
  document(evidence: ReceiptEvidence): Record<string, unknown>;
  /** A session's receipts in id order, and its chain head. */
  chainOf(sessionId: string): Promise<{ receipts: Receipt[]; head: ChainHead | null }>;
  /** Sessions with receipts or a chain head: one session, a course's, or all. */
  sessionIds(scope: { sessionId: string } | { courseId: string } | 'all'): Promise<string[]>;
  /** Receipts whose stored passkey key differs from the enrolled device's (still enrolled) key. */
  keyMismatches(sessionId: string): Promise<number[]>;
  /** Validations of the session that have no receipt (by round and student). */
  validationsWithoutReceipt(sessionId: string): Promise<Array<{ round: number; studentId: string }>>;
}

export interface Sealer {
  /** Chains every unsealed receipt, in id order, under one lock for all instances; returns how many. */
  sealPending(): Promise<number>;
}
