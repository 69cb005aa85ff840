import { Agent, request } from 'node:http';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { createSoftAuthenticator } from '../../test/support/authenticator.js';
import { challengeProof, withPhoneKey, type Phone } from '../../test/support/phone.js';
import { mapLimit } from '../support/stats.js';
import type { BurstRequest, ClientMessage, EnrollRequest, ParentMessage, ScanRecord } from './protocol.js';

/**
 * A share of the classroom, in a process of its own so that its CPU (ES256 signing, HTTP) is not the
 * server's: each student has a phone (the tests' software authenticator and a phone key, node:crypto P-256
 * keys), enrols it through the real API once, then, when told, does the two-step scan as the scan page
 * does: the QR token signed by the phone key buys a challenge; a fresh assertion over it, with the phone
 * key's signature, confirms.
 */
const phones = new Map<number, Phone>();
/**
 * Whether the service binds phones (its devices carry a phoneKeyId). A build from before the phone binding
 * (an A/B baseline) refuses the phone fields at scan time, so they are sent only to a service that has them.
 */
let phoneBinding = true;
// One keep-alive pool per process, without a cap: every student in flight has its own connection.
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
const REQUEST_TIMEOUT_MS = 30_000;

const now = () => performance.timeOrigin + performance.now();
const send = (message: ClientMessage) => process.send!(message);

interface Answer {
  status: number;
  body: unknown;
}

/** POST JSON; resolves with any status, rejects only when there is no answer (the error's code says why). */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}

const errorCode = (answer: Answer) => (answer.body as { error?: { code?: string } })?.error?.code ?? String(answer.status);
const failureCode = (error: unknown) => (error as { code?: string })?.code ?? (error instanceof Error ? error.message : String(error));

async function enroll(request: EnrollRequest): Promise<void> {
  const started = performance.now();
  const failures: string[] = [];
  await mapLimit(request.students, request.concurrency, async ({ index, portalToken }) => {
    try {
      const phone = withPhoneKey(createSoftAuthenticator({ origin: request.origin, rpId: request.rpId }));
      const auth = { authorization: `Bearer ${portalToken}` };
      const options = await post(`${request.baseUrl}/asistencia/api/enrollment/options`, {}, auth);
      if (options.status !== 200) throw new Error(`options: ${options.status} ${JSON.stringify(options.body).slice(0, 200)}`);
      const creation = (options.body as { options: PublicKeyCredentialCreationOptionsJSON }).options;
      const registration = phone.register(creation);
      const phoneKey = { publicKey: phone.phoneKey.publicKey, signature: phone.phoneKey.sign('enroll', creation.challenge) };
      const verified = await post(`${request.baseUrl}/asistencia/api/enrollment/verify`, { response: registration, phoneKey }, auth);
      if (verified.status !== 201) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body).slice(0, 200)}`);
      phoneBinding = (verified.body as { device: { phoneKeyId?: unknown } }).device.phoneKeyId !== undefined;
      phones.set(index, phone);
    } catch (error) {
      failures.push(`student ${index}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  send({ type: 'enrolled', enrolled: request.students.length - failures.length, failures: failures.slice(0, 20), ms: performance.now() - started });
}

async function scan(qrToken: string, planned: BurstRequest['scans'][number]): Promise<ScanRecord> {
  const phone = phones.get(planned.index);
  const record: ScanRecord = {
    index: planned.index,
    startedAt: now(),
    challengedAt: NaN,
    signedAt: NaN,
    endedAt: NaN,
    outcome: '',
    crossInstance: planned.challengeBase !== planned.confirmBase,
  };
  let step = 'challenge';
  try {
    if (!phone) throw Object.assign(new Error('not enrolled'), { code: 'NOT_ENROLLED' });
    const asked = phoneBinding ? { token: qrToken, phone: challengeProof(phone.phoneKey, qrToken) } : { token: qrToken };
    const offer = await post(`${planned.challengeBase}/asistencia/api/scan/challenge`, asked);
    record.challengedAt = now();
    if (offer.status !== 200) {
      record.endedAt = record.challengedAt;
      record.outcome = `challenge:${errorCode(offer)}`;
      return record;
    }
    step = 'confirm';
    const { challengeId, options } = offer.body as { challengeId: string; options: PublicKeyCredentialRequestOptionsJSON };
    // The phone signs the server's fresh challenge: this cannot be computed ahead.
    const assertion = phone.assert(options);
    const signed = phoneBinding ? { phoneSignature: phone.phoneKey.sign('scan-confirm', challengeId, options.challenge) } : {};
    record.signedAt = now();
    const answer = await post(`${planned.confirmBase}/asistencia/api/scan/confirm`, { challengeId, assertion, ...signed });
    record.endedAt = now();
    record.outcome = answer.status === 200 ? String((answer.body as { outcome: string }).outcome) : `confirm:${errorCode(answer)}`;
  } catch (error) {
    record.endedAt = now();
    record.outcome = `${step}:${failureCode(error)}`;
  }
  return record;
}

async function burst(request: BurstRequest): Promise<void> {
  const cpuBefore = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, request.startAt - Date.now())));
  const records = await mapLimit(request.scans, request.concurrency, async (planned) => {
    if (planned.offsetMs > 0) await new Promise((resolve) => setTimeout(resolve, request.startAt + planned.offsetMs - Date.now()));
    return scan(request.qrToken, planned);
  });
  const cpu = process.cpuUsage(cpuBefore);
  send({ type: 'burst-done', label: request.label, records, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'enrol') void enroll(message);
  else if (message.type === 'burst') void burst(message);
  else process.disconnect();
});
// The benchmark went away (finished, failed or interrupted): so does this share of the classroom.
process.on('disconnect', () => {
  agent.destroy();
  process.exit(0);
});
