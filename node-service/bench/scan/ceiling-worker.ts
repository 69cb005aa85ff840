import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { createSoftAuthenticator } from '../../test/support/authenticator.js';
import { serve } from '../support/lifecycle.js';
import { PUBLIC_ORIGIN } from '../support/service.js';
import { median } from 'simple-statistics';

/**
 * The scan's floor, in a process of its own, one verification at a time: SimpleWebAuthn's
 * verifyAuthenticationResponse with the arguments the service passes (scan/infrastructure/assertion-ceremony.ts),
 * and a raw ES256 verify with ready keys, over real assertions of the tests' software authenticator. Rounds
 * alternate between the two, so that a neighbour's burst of work touches both alike.
 */
const RP_ID = new URL(PUBLIC_ORIGIN).hostname;
const CREDENTIALS = 64;
const ASSERTIONS_PER_CREDENTIAL = 16;
const b64 = (text: string) => Buffer.from(text, 'base64url');

function samples() {
  return Array.from({ length: CREDENTIALS }, (_, c) => {
    const phone = createSoftAuthenticator({ origin: PUBLIC_ORIGIN, rpId: RP_ID });
    const user = { id: Buffer.from(`ceiling-${c}`).toString('base64url'), name: `student ${c}`, displayName: `Student ${c}` };
    const rp = { id: RP_ID, name: 'Asistencia' };
    phone.register({ challenge: randomBytes(32).toString('base64url'), rp, user, pubKeyCredParams: [{ alg: -7, type: 'public-key' }] });
    const made = phone.credentials()[0]!;
    const credential = { id: made.id, publicKey: new Uint8Array(made.publicKeyCose), counter: 0, transports: [] as [] };
    const key = createPublicKey(made.privateKey);
    return Array.from({ length: ASSERTIONS_PER_CREDENTIAL }, () => {
      const challenge = randomBytes(32).toString('base64url');
      const response = phone.assert({ challenge, rpId: RP_ID, allowCredentials: [], userVerification: 'required' });
      const clientDataHash = createHash('sha256').update(b64(response.response.clientDataJSON)).digest();
      const signedData = Buffer.concat([b64(response.response.authenticatorData), clientDataHash]);
      return { response, challenge, credential, key, signedData, signature: b64(response.response.signature) };
    });
  }).flat();
}
type Sample = ReturnType<typeof samples>[number];

async function simpleWebAuthn(s: Sample): Promise<void> {
  const options = { response: s.response, expectedChallenge: s.challenge, expectedOrigin: [PUBLIC_ORIGIN], expectedRPID: RP_ID, requireUserVerification: true, credential: s.credential };
  if (!(await verifyAuthenticationResponse(options)).verified) throw new Error('SimpleWebAuthn refused a valid assertion');
}

function rawEs256(s: Sample): void {
  if (!verify('sha256', s.signedData, s.key, s.signature)) throw new Error('node:crypto refused a valid signature');
}

/** `one` over the samples, one after the other, for `ms`: verifications per second of wall time and of CPU (main thread and thread pool). */
async function rate(all: Sample[], ms: number, one: (s: Sample) => unknown) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < ms) for (let i = 0; i < 64; i += 1) await one(all[count++ % all.length]!);
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: count / ((performance.now() - started) / 1000), perCpuSecond: count / ((cpu.user + cpu.system) / 1e6) };
}

function summary(rounds: Array<{ perSecond: number; perCpuSecond: number }>) {
  const walls = rounds.map((r) => r.perSecond);
  const perCpuSecond = median(rounds.map((r) => r.perCpuSecond));
  return { perSecond: median(walls), min: Math.min(...walls), max: Math.max(...walls), perCpuSecond, msCpu: 1000 / perCpuSecond };
}

async function measure({ roundMs, rounds }: { roundMs: number; rounds: number }) {
  const all = samples();
  await rate(all, 700, simpleWebAuthn);
  await rate(all, 700, rawEs256);
  const [swa, es256] = [[], []] as Array<Array<Awaited<ReturnType<typeof rate>>>>;
  for (let r = 0; r < rounds; r += 1) {
    swa!.push(await rate(all, roundMs, simpleWebAuthn));
    es256!.push(await rate(all, roundMs, rawEs256));
  }
  return { assertions: all.length, credentials: CREDENTIALS, roundMs, rounds, simpleWebAuthn: summary(swa!), es256: summary(es256!) };
}

export type CeilingFigures = Awaited<ReturnType<typeof measure>>;
export const handlers = { measure };
serve(handlers);
