import { Agent, request } from 'node:http';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { createSoftAuthenticator } from '../../test/support/authenticator.js';
import { challengeProof, withPhoneKey, type Phone } from '../../test/support/phone.js';
import { portalToken } from '../../test/support/tokens.js';
import { serve } from '../support/child.js';
import { mapLimit, sleep } from '../support/stats.js';

/**
 * A share of the classroom, in a process of its own so that its CPU (ES256 signing, HTTP) is not the
 * server's. Each student has a phone (the tests' software authenticator and phone key), enrols it through
 * the real API once, then scans as the scan page does: the QR token signed by the phone key buys a
 * challenge; a fresh assertion over it, with the phone key's signature, confirms.
 */
export interface PlannedScan {
  index: number;
  studentId: string;
  challengeBase: string;
  confirmBase: string;
  /** When this student starts after the burst's start (ms): 0 for all at once. */
  offsetMs: number;
}

/** One student's scan, on this process's clock (ms since the epoch); `outcome` is 'confirmed' or where it failed and why. */
export interface ScanRecord {
  startedAt: number;
  challengedAt: number;
  signedAt: number;
  endedAt: number;
  outcome: string;
  crossInstance: boolean;
}

const phones = new Map<number, Phone>();
/** A build from before the phone binding (an A/B baseline) has no phoneKeyId on its devices and refuses the phone fields at scan time. */
let phoneBinding = true;
// One keep-alive pool without a cap: every student in flight has its own connection.
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
const now = () => performance.timeOrigin + performance.now();

/** POST JSON; resolves with any status, rejects only when there is no answer (the error's code says why). */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const sent = { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers };
    const req = request(url, { method: 'POST', agent, timeout: 30_000, headers: sent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
        } catch {
          // not JSON: the status says enough
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}

const errorCode = (answer: { status: number; body: Record<string, unknown> }) => (answer.body.error as { code?: string } | undefined)?.code ?? String(answer.status);

async function enroll(request: { baseUrl: string; origin: string; students: Array<{ index: number; studentId: string }>; concurrency: number }) {
  const started = performance.now();
  const failures: string[] = [];
  await mapLimit(request.students, request.concurrency, async ({ index, studentId }) => {
    try {
      const phone = withPhoneKey(createSoftAuthenticator({ origin: request.origin, rpId: new URL(request.origin).hostname }));
      const auth = { authorization: `Bearer ${await portalToken({ sub: studentId, role: 'student', name: `Estudiante ${index + 1}` })}` };
      const options = await post(`${request.baseUrl}/asistencia/api/enrollment/options`, {}, auth);
      if (options.status !== 200) throw new Error(`options: ${options.status} ${JSON.stringify(options.body).slice(0, 200)}`);
      const creation = options.body.options as PublicKeyCredentialCreationOptionsJSON;
      const phoneKey = { publicKey: phone.phoneKey.publicKey, signature: phone.phoneKey.sign('enroll', creation.challenge) };
      const verified = await post(`${request.baseUrl}/asistencia/api/enrollment/verify`, { response: phone.register(creation), phoneKey }, auth);
      if (verified.status !== 201) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body).slice(0, 200)}`);
      phoneBinding = (verified.body.device as { phoneKeyId?: unknown }).phoneKeyId !== undefined;
      phones.set(index, phone);
    } catch (error) {
      failures.push(`student ${index}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return { failures: failures.slice(0, 20), failed: failures.length, ms: performance.now() - started };
}

async function scan(qrToken: string, planned: PlannedScan): Promise<ScanRecord> {
  const phone = phones.get(planned.index);
  const crossInstance = planned.challengeBase !== planned.confirmBase;
  const record: ScanRecord = { startedAt: now(), challengedAt: NaN, signedAt: NaN, endedAt: NaN, outcome: '', crossInstance };
  let step = 'challenge';
  try {
    if (!phone) throw Object.assign(new Error('not enrolled'), { code: 'NOT_ENROLLED' });
    const asked = phoneBinding ? { token: qrToken, phone: challengeProof(phone.phoneKey, qrToken) } : { token: qrToken };
    const offer = await post(`${planned.challengeBase}/asistencia/api/scan/challenge`, asked);
    record.challengedAt = now();
    if (offer.status !== 200) return { ...record, endedAt: record.challengedAt, outcome: `challenge:${errorCode(offer)}` };
    step = 'confirm';
    const { challengeId, options } = offer.body as { challengeId: string; options: PublicKeyCredentialRequestOptionsJSON };
    // The phone signs the server's fresh challenge: this cannot be computed ahead.
    const assertion = phone.assert(options);
    const signed = phoneBinding ? { phoneSignature: phone.phoneKey.sign('scan-confirm', challengeId, options.challenge) } : {};
    record.signedAt = now();
    const answer = await post(`${planned.confirmBase}/asistencia/api/scan/confirm`, { challengeId, assertion, ...signed });
    record.endedAt = now();
    record.outcome = answer.status === 200 ? String(answer.body.outcome) : `confirm:${errorCode(answer)}`;
  } catch (error) {
    record.endedAt = now();
    record.outcome = `${step}:${(error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error))}`;
  }
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

/**
 * One student's scan in two calls, so that the coordinator can meter each step alone (the Valkey round trips
 * of a challenge, then of its confirmation): `probeChallenge` asks and keeps the offer, `probeConfirm`
 * answers it.
 */
const probes = new Map<number, { offer: { challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }; planned: PlannedScan }>();

async function probeChallenge(request: { qrToken: string; planned: PlannedScan }) {
  const phone = phones.get(request.planned.index);
  if (!phone) throw new Error(`student ${request.planned.index} is not enrolled in this load process`);
  const asked = phoneBinding ? { token: request.qrToken, phone: challengeProof(phone.phoneKey, request.qrToken) } : { token: request.qrToken };
  const offer = await post(`${request.planned.challengeBase}/asistencia/api/scan/challenge`, asked);
  // A refusal is a figure too (a Valkey so slow that the challenge passes REQUEST_DEADLINE_MS: 503).
  if (offer.status !== 200) return { outcome: `challenge:${errorCode(offer)}` };
  probes.set(request.planned.index, { offer: offer.body as { challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }, planned: request.planned });
  return { outcome: 'offered' };
}

async function probeConfirm(request: { index: number }) {
  const phone = phones.get(request.index)!;
  const { offer, planned } = probes.get(request.index)!;
  probes.delete(request.index);
  const assertion = phone.assert(offer.options);
  const signed = phoneBinding ? { phoneSignature: phone.phoneKey.sign('scan-confirm', offer.challengeId, offer.options.challenge) } : {};
  const answer = await post(`${planned.confirmBase}/asistencia/api/scan/confirm`, { challengeId: offer.challengeId, assertion, ...signed });
  return { outcome: answer.status === 200 ? String(answer.body.outcome) : `confirm:${errorCode(answer)}` };
}

export const handlers = { enroll, burst, probeChallenge, probeConfirm };
serve(handlers, () => agent.destroy());
