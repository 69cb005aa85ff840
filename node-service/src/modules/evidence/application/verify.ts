import { chainProblems, type ChainHead, type HashOf, type Receipt, type ReceiptEvidence, type ReceiptProblem } from '../domain/receipt.js';
import type { ReceiptRepository, Sealer } from './ports.js';

export interface VerifyReport {
  sessions: number;
  receipts: number;
  problems: ReceiptProblem[];
}

export interface ReceiptChecks {
  hashOf: HashOf;
  /** What is wrong with a receipt's signatures, checked from its own stored keys. */
  signatureProblems(evidence: ReceiptEvidence): Promise<string[]>;
}

/** One session's chain and every receipt's signatures: what a file or the database holds, checked alike. */
export async function verifyChain(sessionId: string, receipts: readonly Receipt[], head: ChainHead | null, checks: ReceiptChecks): Promise<ReceiptProblem[]> {
  const problems = chainProblems(sessionId, receipts, head, checks.hashOf);
  for (const receipt of receipts) {
    if (!receipt.evidence) continue;
    for (const problem of await checks.signatureProblems(receipt.evidence)) problems.push({ sessionId, receiptId: receipt.id, problem });
  }
  return problems;
}

/**
 * Re-verifies the receipts the database holds, after sealing whatever is pending: the chains, the
 * signatures, that each stored passkey key is still the enrolled device's key, and that every confirmation
 * has its receipt.
 */
export function createReceiptVerifier(deps: { receipts: ReceiptRepository; sealer: Sealer; checks: ReceiptChecks }) {
  return {
    async verify(scope: { sessionId: string } | { courseId: string } | 'all'): Promise<VerifyReport> {
      await deps.sealer.sealPending();
      const report: VerifyReport = { sessions: 0, receipts: 0, problems: [] };
      for (const sessionId of await deps.receipts.sessionIds(scope)) {
        const { receipts, head } = await deps.receipts.chainOf(sessionId);
        report.sessions += 1;
        report.receipts += receipts.length;
        report.problems.push(...(await verifyChain(sessionId, receipts, head, deps.checks)));
        for (const id of await deps.receipts.keyMismatches(sessionId)) {
          report.problems.push({ sessionId, receiptId: id, problem: 'passkey key differs from the enrolled device’s key' });
        }
        for (const missing of await deps.receipts.validationsWithoutReceipt(sessionId)) {
          report.problems.push({ sessionId, receiptId: null, problem: `confirmation of student ${missing.studentId} in round ${missing.round} has no receipt` });
        }
      }
      return report;
    },
  };
}
