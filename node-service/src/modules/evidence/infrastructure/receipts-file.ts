import { z } from 'zod';
import type { ChainHead, Receipt } from '../domain/receipt.js';

/**
 * The exported receipts of one session, JSON Lines: a first line naming the session and its chain head,
 * then one receipt per line in chain order. `npm run receipts -- verify --file` checks it with no database.
 */
const RECEIPTS_FILE_FORMAT = 'asistencia-receipts/v1';

const b64 = z.string().regex(/^[A-Za-z0-9_-]*$/);
const hex = z.string().regex(/^[0-9a-f]{64}$/);
const evidence = z.object({
  round: z.number().int(),
  slot: z.number().int(),
  studentId: z.string(),
  deviceId: z.number().int(),
  credentialId: z.string(),
  devicePublicKey: b64,
  phonePublicKey: b64,
  challengeId: z.string(),
  challenge: z.string(),
  rpId: z.string(),
  origins: z.array(z.string()),
  authenticatorData: b64,
  clientDataJSON: b64,
  signature: b64,
  userHandle: b64.nullable(),
  phoneSignature: b64,
}).strict();
const receiptLine = z.object({
  id: z.number().int(),
  sessionId: z.string(),
  confirmedAt: z.string(),
  erased: z.boolean(),
  evidence: evidence.nullable(),
  seq: z.number().int().nullable(),
  prevHash: hex.nullable(),
  hash: hex.nullable(),
}).strict();
const headerLine = z.object({
  format: z.literal(RECEIPTS_FILE_FORMAT),
  sessionId: z.string(),
  head: z.object({
    sessionId: z.string(),
    lastId: z.number().int(),
    headHash: hex,
    sealedCount: z.number().int(),
    prunedCount: z.number().int(),
    prunedThroughHash: hex.nullable(),
  }).strict().nullable(),
}).strict();

export function receiptsFile(sessionId: string, head: ChainHead | null, receipts: readonly Receipt[]): string {
  return [JSON.stringify({ format: RECEIPTS_FILE_FORMAT, sessionId, head }), ...receipts.map((r) => JSON.stringify(r))].join('\n') + '\n';
}

export type ParsedReceiptsFile =
  | { ok: true; sessionId: string; head: ChainHead | null; receipts: Receipt[] }
  | { ok: false; line: number; problem: string };

export function parseReceiptsFile(text: string): ParsedReceiptsFile {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const parse = <T>(schema: z.ZodType<T>, line: string, index: number): T | { line: number; problem: string } => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { line: index + 1, problem: 'not JSON' };
    }
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : { line: index + 1, problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  };
  if (lines.length === 0) return { ok: false, line: 1, problem: 'empty file' };
  const header = parse(headerLine, lines[0]!, 0);
  if ('problem' in header) return { ok: false, ...header };
  const receipts: Receipt[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const receipt = parse(receiptLine, lines[i]!, i);
    if ('problem' in receipt) return { ok: false, ...receipt };
    receipts.push(receipt);
  }
  return { ok: true, sessionId: header.sessionId, head: header.head, receipts };
}
