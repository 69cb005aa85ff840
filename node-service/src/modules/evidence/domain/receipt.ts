/**
 * A receipt: what one confirmation signed and with which keys, so that anyone can re-check it offline.
 * Bytes are base64url, hashes lowercase hex, times ISO 8601 (milliseconds): the same form in the database
 * adapter, in the exported JSON Lines file and in the canonical JSON that is hashed.
 */
export interface ReceiptEvidence {
  round: number;
  slot: number;
  studentId: string;
  deviceId: number;
  credentialId: string;
  /** COSE public key of the passkey, as it was at the confirmation. */
  devicePublicKey: string;
  /** SubjectPublicKeyInfo (DER) of the phone key, as it was at the confirmation. */
  phonePublicKey: string;
  challengeId: string;
  /** The WebAuthn challenge, which the phone key signed too. */
  challenge: string;
  rpId: string;
  origins: string[];
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
  userHandle: string | null;
  phoneSignature: string;
}

export interface Receipt {
  id: number;
  sessionId: string;
  confirmedAt: string;
  /** An erased student's receipt: its place in the chain and nothing else. */
  erased: boolean;
  /** Null on a tombstone. */
  evidence: ReceiptEvidence | null;
  /** Place in the session's chain, from 1; null until sealed, like the hashes. */
  seq: number | null;
  prevHash: string | null;
  hash: string | null;
}

/** The last sealed receipt of a session; receipts pruned by retention are counted and their last hash kept. */
export interface ChainHead {
  sessionId: string;
  lastId: number;
  headHash: string;
  sealedCount: number;
  prunedCount: number;
  prunedThroughHash: string | null;
}

export interface ReceiptProblem {
  sessionId: string;
  receiptId: number | null;
  problem: string;
}

export type HashOf = (text: string) => string;

/** JSON with object keys sorted at every level: one text for one value, whatever built it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What the first receipt of a session chains to: the session's own genesis. */
export function genesisText(sessionId: string): string {
  return `asistencia/receipts/v1\n${sessionId}`;
}

/** The text a sealed receipt's hash is taken over: the receipt (id, session, time, evidence), its place and prev_hash. */
export function sealedText(receipt: Pick<Receipt, 'id' | 'sessionId' | 'confirmedAt' | 'evidence'>, seq: number, prevHash: string): string {
  const { id, sessionId, confirmedAt, evidence } = receipt;
  return canonicalJson({ v: 1, id, sessionId, confirmedAt, evidence, seq, prevHash });
}

/**
 * The chain of one session, receipts in chain order (seq; unsealed ones last): each links to the one before (or the genesis, or the last
 * pruned one), each hash covers its receipt, and the last is the head. One problem per break; a tombstone's
 * hash cannot be recomputed (its evidence is gone) but it must still link both ways.
 */
export function chainProblems(sessionId: string, receipts: readonly Receipt[], head: ChainHead | null, hashOf: HashOf): ReceiptProblem[] {
  const problems: ReceiptProblem[] = [];
  const report = (receiptId: number | null, problem: string) => problems.push({ sessionId, receiptId, problem });
  let expectedPrev = head && head.prunedCount > 0 ? head.prunedThroughHash : hashOf(genesisText(sessionId));
  let sealed = 0;
  let last: Receipt | null = null;
  for (const receipt of receipts) {
    if (receipt.sessionId !== sessionId) report(receipt.id, `belongs to session ${receipt.sessionId}`);
    if (receipt.hash === null || receipt.prevHash === null || receipt.seq === null) {
      report(receipt.id, 'not sealed yet');
      continue;
    }
    sealed += 1;
    const expectedSeq = (head?.prunedCount ?? 0) + sealed;
    if (receipt.seq !== expectedSeq) report(receipt.id, `at place ${receipt.seq} where ${expectedSeq} was expected (a receipt deleted or moved)`);
    if (receipt.prevHash !== expectedPrev) report(receipt.id, 'chain broken before this receipt (a receipt deleted, inserted or moved)');
    if (!receipt.erased && hashOf(sealedText(receipt, receipt.seq, receipt.prevHash)) !== receipt.hash) report(receipt.id, 'hash does not match its contents (altered)');
    if (receipt.erased !== (receipt.evidence === null)) report(receipt.id, 'tombstone with evidence, or evidence missing');
    expectedPrev = receipt.hash;
    last = receipt;
  }
  if (!head) {
    if (sealed > 0) report(null, 'no chain head for sealed receipts');
    return problems;
  }
  if (sealed !== head.sealedCount - head.prunedCount) report(null, `${sealed} sealed receipt(s), the chain head counts ${head.sealedCount - head.prunedCount}`);
  if (last ? last.id !== head.lastId || last.hash !== head.headHash : head.sealedCount > head.prunedCount) {
    report(null, 'the last receipt is not the chain head (receipts deleted at the end)');
  }
  return problems;
}
