import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiptTools, verifyReceiptsFile } from '../../src/modules/evidence/index.js';
import { startService, type RunningService } from '../support/service.js';
import { users } from '../support/tokens.js';
import { enrolledPhone, liveSession, scanner } from '../scan/support.js';
import { downloadReceipts, receiptsCommand, thenRestore, verifyInDatabase } from './support.js';

/**
 * Receipts: every confirmation keeps what was signed and the keys that signed it, chained per session, and
 * `npm run receipts -- verify` re-checks them offline. Each tampering test here was checked once against the
 * defence it names removed (noted on each) and went red.
 */
let service: RunningService;
let sessionId: string;
const problemsOf = async () => (await verifyInDatabase(service, { sessionId })).problems.map((p) => p.problem);

beforeAll(async () => {
  // Sealing only when asked (verify, export), so that the tests decide when the chain moves.
  service = await startService({ env: { RECEIPTS_SEAL_INTERVAL_MS: '0' } });
  const phones = await Promise.all([users.student, users.student2, users.student3].map((s) => enrolledPhone(service, s)));
  const session = await liveSession(service);
  sessionId = session.id;
  const { token } = await session.screen();
  for (const phone of phones) expect((await scanner(service).scan(token, phone)).status).toBe(200);
  session.close();
  await createReceiptTools(service.db).sealer.sealPending();
});
afterAll(() => service?.stop());

describe('receipts after real scans', () => {
  it('are kept one per confirmation, with the keys as they were, and verify', async () => {
    const report = await verifyInDatabase(service, { sessionId });
    expect(report).toEqual({ sessions: 1, receipts: 3, problems: [] });
    const { rows } = await service.db.query(
      `SELECT r.seq, r.student_id, r.round, r.device_public_key = d.public_key AS same_key, r.phone_public_key = d.phone_public_key AS same_phone
       FROM evidence.receipts r JOIN enrollment.devices d ON d.id = r.device_id WHERE r.session_id = $1 ORDER BY r.seq`,
      [sessionId],
    );
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(rows.every((r) => r.same_key && r.same_phone && r.round === 1)).toBe(true);
    expect(rows.map((r) => r.student_id).sort()).toEqual(['2', '3', '4']);
  });

  it('verify by course and over everything', async () => {
    expect((await verifyInDatabase(service, { courseId: 'MAT101' })).problems).toEqual([]);
    expect((await verifyInDatabase(service, 'all')).receipts).toBe(3);
  });
});

describe('tampering with the database is detected', () => {
  const byteColumns = ['authenticator_data', 'client_data_json', 'signature', 'phone_signature', 'device_public_key', 'phone_public_key', 'prev_hash', 'hash'];
  // Checked once: with the hash comparison removed from chainProblems the 'stored ...' tests went red (these
  // byte flips are still caught by the signatures or the links); with signatureProblems removed, the
  // rewritten-chain tests below went red.
  for (const column of byteColumns) {
    it(`one byte of ${column}`, async () => {
      await thenRestore(service, sessionId, async () => {
        await service.db.query(`UPDATE evidence.receipts SET ${column} = set_byte(${column}, 5, get_byte(${column}, 5) # 1) WHERE session_id = $1 AND seq = 2`, [sessionId]);
        expect((await problemsOf()).length).toBeGreaterThan(0);
      });
    });
  }

  for (const [column, value] of [['challenge', `'AAAA'`], ['challenge_id', `'BBBB'`], ['round', '2'], ['slot', 'slot + 1'], ['student_id', `student_id || 'x'`], ['confirmed_at', `confirmed_at + interval '1 second'`], ['rp_id', `'evil.example'`]] as const) {
    it(`the stored ${column}`, async () => {
      await thenRestore(service, sessionId, async () => {
        await service.db.query(`UPDATE evidence.receipts SET ${column} = ${value} WHERE session_id = $1 AND seq = 2`, [sessionId]);
        expect(await problemsOf()).toContain('hash does not match its contents (altered)');
      });
    });
  }

  it('a deleted receipt in the middle, and at the end (checked once: red without the head comparison)', async () => {
    await thenRestore(service, sessionId, async () => {
      await service.db.query('DELETE FROM evidence.receipts WHERE session_id = $1 AND seq = 2', [sessionId]);
      expect(await problemsOf()).toContain('chain broken before this receipt (a receipt deleted, inserted or moved)');
    });
    await thenRestore(service, sessionId, async () => {
      await service.db.query('DELETE FROM evidence.receipts WHERE session_id = $1 AND seq = 3', [sessionId]);
      expect(await problemsOf()).toContain('the last receipt is not the chain head (receipts deleted at the end)');
    });
  });

  it('two receipts swapped in the chain', async () => {
    await thenRestore(service, sessionId, async () => {
      for (const [from, to] of [[1, 100], [2, 1], [100, 2]]) {
        await service.db.query('UPDATE evidence.receipts SET seq = $3 WHERE session_id = $1 AND seq = $2', [sessionId, from, to]);
      }
      const problems = await problemsOf();
      expect(problems).toContain('chain broken before this receipt (a receipt deleted, inserted or moved)');
    });
  });

  it('an altered signature with the whole chain rewritten to match is still refused by the signature itself (checked once: red without signatureProblems)', async () => {
    await thenRestore(service, sessionId, async () => {
      await service.db.query(`UPDATE evidence.receipts SET signature = set_byte(signature, 10, get_byte(signature, 10) # 1)
        WHERE session_id = $1 AND student_id = '3'`, [sessionId]);
      await service.db.query(`UPDATE evidence.receipts SET seq = NULL, prev_hash = NULL, hash = NULL, sealed_at = NULL WHERE session_id = $1`, [sessionId]);
      await service.db.query('DELETE FROM evidence.chain_heads WHERE session_id = $1', [sessionId]);
      const problems = await problemsOf();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^passkey/);
    });
  });

  it('a forged phone-key signature with the chain rewritten is refused (checked once: red without the phone-key check)', async () => {
    await thenRestore(service, sessionId, async () => {
      await service.db.query(`UPDATE evidence.receipts SET phone_signature = set_byte(phone_signature, 10, get_byte(phone_signature, 10) # 1)
        WHERE session_id = $1 AND student_id = '3'`, [sessionId]);
      await service.db.query(`UPDATE evidence.receipts SET seq = NULL, prev_hash = NULL, hash = NULL, sealed_at = NULL WHERE session_id = $1`, [sessionId]);
      await service.db.query('DELETE FROM evidence.chain_heads WHERE session_id = $1', [sessionId]);
      expect(await problemsOf()).toEqual(['phone-key signature does not verify']);
    });
  });

  it('a confirmation whose receipt is gone with its chain rewritten (checked once: red without the validations check)', async () => {
    await thenRestore(service, sessionId, async () => {
      await service.db.query(`DELETE FROM evidence.receipts WHERE session_id = $1 AND student_id = '3'`, [sessionId]);
      await service.db.query(`UPDATE evidence.receipts SET seq = NULL, prev_hash = NULL, hash = NULL, sealed_at = NULL WHERE session_id = $1`, [sessionId]);
      await service.db.query('DELETE FROM evidence.chain_heads WHERE session_id = $1', [sessionId]);
      expect(await problemsOf()).toEqual(['confirmation of student 3 in round 1 has no receipt']);
    });
  });
});

describe('the exported receipts file', () => {
  it("is the session teacher's (or an admin's) to download", async () => {
    expect((await downloadReceipts(service, sessionId, users.student)).status).toBe(403);
    expect((await downloadReceipts(service, sessionId, users.otherTeacher)).status).toBe(403);
    expect((await downloadReceipts(service, sessionId, users.admin)).status).toBe(200);
  });

  it('verifies on its own, and any edit, deletion or reordering of its lines is detected', async () => {
    const file = await downloadReceipts(service, sessionId);
    expect(file.status).toBe(200);
    expect(file.type).toMatch(/^application\/jsonl/);
    expect(await verifyReceiptsFile(file.text)).toEqual({ sessions: 1, receipts: 3, problems: [] });

    const lines = file.text.trimEnd().split('\n');
    const receipt = JSON.parse(lines[2]!);
    const flipped = { ...receipt, evidence: { ...receipt.evidence, signature: receipt.evidence.signature.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A')) } };
    const edited = [lines[0], lines[1], JSON.stringify(flipped), lines[3]].join('\n');
    expect((await verifyReceiptsFile(edited)).problems.length).toBeGreaterThan(0);
    expect((await verifyReceiptsFile([lines[0], lines[1], lines[3]].join('\n'))).problems.map((p) => p.problem)).toContain(
      'chain broken before this receipt (a receipt deleted, inserted or moved)',
    );
    expect((await verifyReceiptsFile([lines[0], lines[2], lines[1], lines[3]].join('\n'))).problems.length).toBeGreaterThan(0);
    expect((await verifyReceiptsFile(lines.slice(0, 3).join('\n'))).problems.map((p) => p.problem)).toContain(
      'the last receipt is not the chain head (receipts deleted at the end)',
    );
  });

  it('npm run receipts -- verify: --file with no database, and a session in the database; exit 1 on a problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'receipts-'));
    const good = join(dir, 'good.jsonl');
    const bad = join(dir, 'bad.jsonl');
    const text = (await downloadReceipts(service, sessionId)).text;
    await writeFile(good, text);
    await writeFile(bad, text.trimEnd().split('\n').slice(0, 3).join('\n'));
    const fromFile = await receiptsCommand(['verify', '--file', good]);
    expect(fromFile, fromFile.output).toMatchObject({ code: 0 });
    expect(fromFile.output).toMatch(/^OK: 3 receipt\(s\) in 1 session\(s\), 0 problem\(s\)/m);
    const broken = await receiptsCommand(['verify', '--file', bad]);
    expect(broken.code).toBe(1);
    expect(broken.output).toMatch(/^PROBLEM session .* receipt -: the last receipt is not the chain head/m);
    expect(broken.output).toMatch(/^FAILED: 2 receipt/m);

    const database = service.config.database;
    if (!('url' in database)) throw new Error('needs the real PostgreSQL');
    const inDatabase = await receiptsCommand(['verify', sessionId], { DATABASE_URL: database.url });
    expect(inDatabase, inDatabase.output).toMatchObject({ code: 0 });
    expect((await receiptsCommand(['verify'])).code).toBe(2);
  });
});
