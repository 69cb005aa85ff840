import { spawn } from 'node:child_process';
import { createReceiptTools } from '../../src/modules/evidence/index.js';
import type { RunningService } from '../support/service.js';
import { serviceEntry } from '../support/service-build.js';
import { SERVICE_ROOT } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';

/** `npm run receipts -- verify ...` over the database (all receipts of the service's sessions). */
export async function verifyInDatabase(service: RunningService, scope: { sessionId: string } | { courseId: string } | 'all') {
  return createReceiptTools(service.db).verifier.verify(scope);
}

/** The receipts file of a session, as its teacher downloads it. */
export async function downloadReceipts(service: RunningService, sessionId: string, user: { sub: string; role: string; name: string } = users.teacher) {
  const response = await fetch(`${service.baseUrl}/asistencia/api/sessions/${sessionId}/receipts`, {
    headers: { authorization: `Bearer ${await portalToken(user)}` },
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The receipts command itself, as an operator runs it; its exit code and output. */
export function receiptsCommand(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...serviceEntry('cli/receipts'), ...args], {
      cwd: SERVICE_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * Runs `work` against the database, then puts a session's receipts and chain head back exactly as they were
 * (ids included): each tampering test starts from the intact chain.
 */
export async function thenRestore(service: RunningService, sessionId: string, work: () => Promise<void>): Promise<void> {
  const { rows } = await service.db.query<{ receipts: unknown; heads: unknown }>(
    `SELECT (SELECT coalesce(json_agg(r), '[]') FROM evidence.receipts r WHERE r.session_id = $1) AS receipts,
            (SELECT coalesce(json_agg(h), '[]') FROM evidence.chain_heads h WHERE h.session_id = $1) AS heads`,
    [sessionId],
  );
  try {
    await work();
  } finally {
    await service.db.transaction(async (tx) => {
      await tx.query('DELETE FROM evidence.receipts WHERE session_id = $1', [sessionId]);
      await tx.query('DELETE FROM evidence.chain_heads WHERE session_id = $1', [sessionId]);
      await tx.query(`INSERT INTO evidence.receipts OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::evidence.receipts, $1::json)`, [JSON.stringify(rows[0]!.receipts)]);
      await tx.query(`INSERT INTO evidence.chain_heads SELECT * FROM json_populate_recordset(NULL::evidence.chain_heads, $1::json)`, [JSON.stringify(rows[0]!.heads)]);
    });
  }
}
