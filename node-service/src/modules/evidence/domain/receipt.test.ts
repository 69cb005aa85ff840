import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainProblems, genesisText, sealedText, type ChainHead, type Receipt } from './receipt.js';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');
const session = '00000000-0000-4000-8000-000000000001';

/** A sealed chain of `n` receipts (evidence left out: the chain does not look into it), and its head. */
function chain(n: number): { receipts: Receipt[]; head: ChainHead } {
  const receipts: Receipt[] = [];
  let prev = hashOf(genesisText(session));
  for (let i = 1; i <= n; i += 1) {
    const base = { id: i * 10, sessionId: session, confirmedAt: new Date(i * 1000).toISOString(), evidence: null };
    const hash = hashOf(sealedText(base, i, prev));
    receipts.push({ ...base, erased: true, seq: i, prevHash: prev, hash });
    prev = hash;
  }
  return { receipts, head: { sessionId: session, lastId: n * 10, headHash: prev, sealedCount: n, prunedCount: 0, prunedThroughHash: null } };
}

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":2,"f":1}]},"b":1}');
  });
});

describe('chainProblems', () => {
  it('accepts an intact chain', () => {
    const { receipts, head } = chain(3);
    expect(chainProblems(session, receipts, head, hashOf)).toEqual([]);
  });

  it('names a receipt removed from the middle, a swap and a cut end', () => {
    const { receipts, head } = chain(3);
    expect(chainProblems(session, [receipts[0]!, receipts[2]!], head, hashOf).map((p) => p.receiptId)).toContain(30);
    expect(chainProblems(session, [receipts[1]!, receipts[0]!, receipts[2]!], head, hashOf).length).toBeGreaterThan(0);
    expect(chainProblems(session, receipts.slice(0, 2), head, hashOf).map((p) => p.problem)).toContain(
      'the last receipt is not the chain head (receipts deleted at the end)',
    );
  });

  it('links the first remaining receipt to the last pruned one', () => {
    const { receipts, head } = chain(3);
    const pruned = { ...head, prunedCount: 2, prunedThroughHash: receipts[1]!.hash };
    expect(chainProblems(session, receipts.slice(2), pruned, hashOf)).toEqual([]);
    expect(chainProblems(session, [], { ...head, prunedCount: 3, prunedThroughHash: head.headHash }, hashOf)).toEqual([]);
  });

  it('reports unsealed receipts and sealed receipts with no head', () => {
    const { receipts } = chain(1);
    expect(chainProblems(session, [{ ...receipts[0]!, seq: null, hash: null, prevHash: null }], null, hashOf).map((p) => p.problem)).toEqual(['not sealed yet']);
    expect(chainProblems(session, receipts, null, hashOf).map((p) => p.problem)).toEqual(['no chain head for sealed receipts']);
  });
});
