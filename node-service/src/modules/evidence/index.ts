import type { FastifyInstance } from 'fastify';
import type { RateLimits } from '../../shared/http/rate-limits.js';
import type { SqlDatabase, SqlExecutor } from '../../shared/storage/sql.js';
import type { AuthGuards, Identity } from '../auth/index.js';
import { createReceiptKeeper } from './application/keep.js';
import { createReceiptVerifier, verifyChain } from './application/verify.js';
import { createReceiptRepository } from './infrastructure/receipt-repository.js';
import { receiptRetention } from './infrastructure/receipt-retention.js';
import { parseReceiptsFile } from './infrastructure/receipts-file.js';
import { createSealer } from './infrastructure/sealer.js';
import { sha256Hex, signatureProblems } from './infrastructure/signature-check.js';
import { evidenceRoutes } from './presentation/routes.js';

export type { Receipt } from './domain/receipt.js';
export type { VerifyReport } from './application/verify.js';
export { receiptRetention } from './infrastructure/receipt-retention.js';

const checks = { hashOf: sha256Hex, signatureProblems };

/** Verifies an exported receipts file with no database: its chain and every signature, from its own keys. */
export async function verifyReceiptsFile(text: string) {
  const parsed = parseReceiptsFile(text);
  if (!parsed.ok) return { sessions: 0, receipts: 0, problems: [{ sessionId: '-', receiptId: null, problem: `line ${parsed.line}: ${parsed.problem}` }] };
  const problems = await verifyChain(parsed.sessionId, parsed.receipts, parsed.head, checks);
  return { sessions: 1, receipts: parsed.receipts.length, problems };
}

/** The repository, sealer and verifier, for the receipts command (no HTTP). */
export function createReceiptTools(db: SqlDatabase) {
  const receipts = createReceiptRepository(db);
  const sealer = createSealer(db);
  return { receipts, sealer, verifier: createReceiptVerifier({ receipts, sealer, checks }) };
}

/**
 * Receipts: per confirmation, the signed evidence and the keys that check it, chained per session
 * (docs/architecture.md "Receipts"). Owns the evidence schema.
 */
export function createEvidenceModule(deps: {
  db: SqlDatabase;
  webauthn: { rpId: string; origins: readonly string[] };
  guards: AuthGuards;
  limits: RateLimits;
  authorizeSession(actor: Identity, sessionId: string): Promise<unknown>;
  sealIntervalMs: number;
  report: (error: unknown, context: string) => void;
}) {
  const tools = createReceiptTools(deps.db);
  const keeper = createReceiptKeeper({ receipts: tools.receipts, rpId: deps.webauthn.rpId, origins: deps.webauthn.origins });
  let timer: NodeJS.Timeout | null = null;
  let sealing: Promise<unknown> = Promise.resolve();
  const sealNow = () => {
    sealing = tools.sealer.sealPending().catch((error: unknown) => deps.report(error, 'receipts not sealed'));
    return sealing;
  };
  const exportChain = async (sessionId: string) => {
    await tools.sealer.sealPending();
    return tools.receipts.chainOf(sessionId);
  };
  return {
    receipts: keeper,
    sealer: tools.sealer,
    verifier: tools.verifier,
    /** A student's receipts (their data export). */
    ofStudent: (studentId: string, tx?: SqlExecutor) => tools.receipts.ofStudent(studentId, tx),
    /** Seals on an interval until stopped; one instance seals at a time (advisory lock). */
    start(): void {
      if (timer || deps.sealIntervalMs <= 0) return;
      timer = setInterval(() => void sealNow(), deps.sealIntervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await sealing;
    },
    routes: async (app: FastifyInstance) => {
      await app.register(evidenceRoutes({ guards: deps.guards, limits: deps.limits, authorize: deps.authorizeSession, exportChain }));
    },
    retention: receiptRetention,
  };
}
