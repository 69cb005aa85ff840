/**
 * Re-verifies receipts offline (docs/architecture.md "Receipts"): every passkey assertion and phone-key
 * signature from the keys stored in the receipt itself, and each session's hash chain. With a database
 * (DATABASE_URL, or the embedded one under DATA_DIR while the service is stopped) pending receipts are
 * sealed first; with --file an exported receipts file is checked with no database at all.
 * One line per problem, then a summary; exit code 1 on any problem, 2 on a usage error.
 *
 *   npm run receipts -- verify <session-id>
 *   npm run receipts -- verify --course <course-id>
 *   npm run receipts -- verify --all
 *   npm run receipts -- verify --file <receipts.jsonl>
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { runCli, withConfiguredDatabase } from './run.js';
import { createReceiptTools, verifyReceiptsFile, type VerifyReport } from '../modules/evidence/index.js';

const USAGE = `Usage: npm run receipts -- verify <session-id> | --course <course-id> | --all | --file <receipts.jsonl>
`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Scope = { sessionId: string } | { courseId: string } | 'all' | { file: string };

function scopeOf(argv: string[]): Scope | null {
  const [command, first, second, ...rest] = argv;
  if (command !== 'verify' || rest.length > 0) return null;
  if (first === '--all') return second === undefined ? 'all' : null;
  if (first === '--course') return second ? { courseId: second } : null;
  if (first === '--file') return second ? { file: second } : null;
  return first && UUID.test(first) && second === undefined ? { sessionId: first } : null;
}

/** The summary's cost: wall time and this process's CPU (main thread and thread pool) since the work began. */
function print(report: VerifyReport, elapsedMs: number, cpu: NodeJS.CpuUsage): number {
  for (const p of report.problems) process.stdout.write(`PROBLEM session ${p.sessionId} receipt ${p.receiptId ?? '-'}: ${p.problem}\n`);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const perReceipt = (ms: number) => (report.receipts > 0 ? ` (${(ms / report.receipts).toFixed(2)} ms per receipt)` : '');
  process.stdout.write(
    `${report.problems.length === 0 ? 'OK' : 'FAILED'}: ${report.receipts} receipt(s) in ${report.sessions} session(s), ` +
      `${report.problems.length} problem(s), ${Math.round(elapsedMs)} ms${perReceipt(elapsedMs)}, CPU ${Math.round(cpuMs)} ms${perReceipt(cpuMs)}\n`,
  );
  return report.problems.length === 0 ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const scope = scopeOf(argv);
  if (!scope) {
    process.stderr.write(USAGE);
    return 2;
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  if (typeof scope === 'object' && 'file' in scope) {
    return print(await verifyReceiptsFile(await readFile(scope.file, 'utf8')), performance.now() - started, process.cpuUsage(cpuBefore));
  }
  return withConfiguredDatabase(async (db) => print(await createReceiptTools(db).verifier.verify(scope), performance.now() - started, process.cpuUsage(cpuBefore)));
}

runCli(main);
