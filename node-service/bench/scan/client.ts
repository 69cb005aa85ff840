import { Agent } from 'node:http';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { request as send } from '../../test/support/apache.js';
import { createSoftAuthenticator } from '../../test/support/authenticator.js';
import { challengeProof, withPhoneKey, type Phone } from '../../test/support/phone.js';
import { portalToken } from '../../test/support/tokens.js';
import { serve } from '../support/lifecycle.js';
import { studentId } from '../support/directory.js';
import { mapLimit } from '../../test/support/map-limit.js';
import { retryUnavailable, sleep } from '../support/stats.js';
import type { PlannedScan } from './classroom.js';

/**
 * A share of the classroom, in a process of its own so that its CPU (ES256 signing, HTTP) is not the
 * server's. Each student has a phone (the tests' software authenticator and phone key), enrols it through
 * the real API once, then scans as the scan page does.
 */
const phones = new Map<number, Phone>();
// One keep-alive pool without a cap: every student in flight has its own connection.
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
const now = () => performance.timeOrigin + performance.now();

type Answer = { status: number; body: Record<string, unknown> };

/** POST JSON on the pool; resolves with any status, rejects only when there is no answer (the error's code says why). */
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const options = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
  const answer = await send(url, { ...options, agent, timeoutMs: 30_000 });
  try {
    return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
  } catch {
    return { status: answer.status, body: {} }; // not JSON: the status says enough
  }
}

const errorCode = (answer: Answer) => (answer.body.error as { code?: string } | undefined)?.code ?? String(answer.status);

async function enroll(request: { baseUrl: string; origin: string; students: number[]; concurrency: number }) {
  const started = performance.now();
  const failures: string[] = [];
  await mapLimit(request.students, request.concurrency, async (index) => {
    try {
      await retryUnavailable(async () => {
        const phone = withPhoneKey(createSoftAuthenticator({ origin: request.origin, rpId: new URL(request.origin).hostname }));
        const auth = { authorization: `Bearer ${await portalToken({ sub: studentId(index), role: 'student', name: `Estudiante ${index + 1}` })}` };
        const options = await post(`${request.baseUrl}/asistencia/api/enrollment/options`, {}, auth);
        if (options.status !== 200) throw new Error(`options: ${options.status} ${JSON.stringify(options.body).slice(0, 200)}`);
        const creation = options.body.options as PublicKeyCredentialCreationOptionsJSON;
        const phoneKey = { publicKey: phone.phoneKey.publicKey, signature: phone.phoneKey.sign('enroll', creation.challenge) };
        const verified = await post(`${request.baseUrl}/asistencia/api/enrollment/verify`, { response: phone.register(creation), phoneKey }, auth);
        if (verified.status !== 201) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body).slice(0, 200)}`);
        phones.set(index, phone);
      });
    } catch (error) {
      failures.push(`student ${index}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return { failures: failures.slice(0, 20), failed: failures.length, ms: performance.now() - started };
}

/**
 * One student's scan, on this process's clock (ms since the epoch): the QR token signed by the phone key buys a
 * challenge; a fresh assertion over it (it cannot be computed ahead), with the phone key's signature, confirms.
 * `outcome` is 'confirmed' or where it failed and why: a refusal is a figure too (a Valkey so slow that the
 * challenge passes REQUEST_DEADLINE_MS: 503).
 */
async function scan(qrToken: string, planned: PlannedScan) {
  const record = { startedAt: now(), challengedAt: NaN, signedAt: NaN, endedAt: NaN, outcome: '', crossInstance: planned.challengeBase !== planned.confirmBase };
  let step = 'challenge';
  try {
    const phone = phones.get(planned.index);
    if (!phone) throw Object.assign(new Error(`student ${planned.index} is not enrolled in this load process`), { code: 'NOT_ENROLLED' });
    const offered = await post(`${planned.challengeBase}/asistencia/api/scan/challenge`, { token: qrToken, phone: challengeProof(phone.phoneKey, qrToken) });
    record.challengedAt = now();
    step = 'confirm';
    if (offered.status !== 200) record.outcome = `challenge:${errorCode(offered)}`;
    else {
      const offer = offered.body as { challengeId: string; options: PublicKeyCredentialRequestOptionsJSON };
      const assertion = phone.assert(offer.options);
      const phoneSignature = phone.phoneKey.sign('scan-confirm', offer.challengeId, offer.options.challenge);
      record.signedAt = now();
      const answer = await post(`${planned.confirmBase}/asistencia/api/scan/confirm`, { challengeId: offer.challengeId, assertion, phoneSignature });
      record.outcome = answer.status === 200 ? String(answer.body.outcome) : `confirm:${errorCode(answer)}`;
    }
  } catch (error) {
    record.outcome = `${step}:${(error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error))}`;
  }
  record.endedAt = now();
  return record;
}

/** Every student of the share starts at `startAt + offsetMs` (one clock for all the load processes: the wall clock). */
async function burst(request: { qrToken: string; startAt: number; scans: PlannedScan[] }) {
  await sleep(request.startAt - Date.now());
  const records = await mapLimit(request.scans, request.scans.length, async (planned) => {
    await sleep(request.startAt + planned.offsetMs - Date.now());
    return scan(request.qrToken, planned);
  });
  return { records };
}

export type ScanRecord = Awaited<ReturnType<typeof scan>>;
export const handlers = { enroll, burst };
serve(handlers, () => agent.destroy());
