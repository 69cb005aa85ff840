import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { createSoftAuthenticator } from '../../test/support/authenticator.js';
import type { CeilingFigures } from './ceilings.js';

/**
 * The ceilings of the scan, in one process of its own, one verification at a time: how many real
 * assertions per second SimpleWebAuthn's verifyAuthenticationResponse verifies with the very arguments the
 * service passes (scan/infrastructure/assertion-ceremony.ts), and how many raw ES256 signatures
 * node:crypto's verify checks (key objects made beforehand). The assertions come from the tests' software
 * authenticator, each over its own random challenge, as at scan time.
 */
const ORIGIN = 'http://localhost:9500';
const RP_ID = 'localhost';
const CREDENTIALS = 64;
const ASSERTIONS_PER_CREDENTIAL = 16;
const WARMUP_MS = 700;

interface Sample {
  response: AuthenticationResponseJSON;
  challenge: string;
  credentialId: string;
  publicKeyCose: Uint8Array<ArrayBuffer>;
  publicKey: KeyObject;
  signedData: Buffer;
  signature: Buffer;
}

function samples(): Sample[] {
  const made: Sample[] = [];
  for (let c = 0; c < CREDENTIALS; c += 1) {
    const phone = createSoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    phone.register({
      challenge: randomBytes(32).toString('base64url'),
      rp: { id: RP_ID, name: 'Asistencia' },
      user: { id: Buffer.from(`ceiling-${c}`).toString('base64url'), name: `student ${c}`, displayName: `Student ${c}` },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
    });
    const credential = phone.credentials()[0]!;
    const publicKey = createPublicKey(credential.privateKey);
    for (let a = 0; a < ASSERTIONS_PER_CREDENTIAL; a += 1) {
      const challenge = randomBytes(32).toString('base64url');
      const response = phone.assert({ challenge, rpId: RP_ID, allowCredentials: [], userVerification: 'required' });
      const authData = Buffer.from(response.response.authenticatorData, 'base64url');
      const clientDataHash = createHash('sha256').update(Buffer.from(response.response.clientDataJSON, 'base64url')).digest();
      made.push({
        response,
        challenge,
        credentialId: credential.id,
        publicKeyCose: new Uint8Array(credential.publicKeyCose),
        publicKey,
        signedData: Buffer.concat([authData, clientDataHash]),
        signature: Buffer.from(response.response.signature, 'base64url'),
      });
    }
  }
  return made;
}

async function simpleWebAuthn(sample: Sample): Promise<void> {
  const verification = await verifyAuthenticationResponse({
    response: sample.response,
    expectedChallenge: sample.challenge,
    expectedOrigin: [ORIGIN],
    expectedRPID: RP_ID,
    requireUserVerification: true,
    credential: { id: sample.credentialId, publicKey: sample.publicKeyCose, counter: 0, transports: [] },
  });
  if (!verification.verified) throw new Error('SimpleWebAuthn refused a valid assertion');
}

function rawEs256(sample: Sample): void {
  if (!verify('sha256', sample.signedData, sample.publicKey, sample.signature)) throw new Error('node:crypto refused a valid signature');
}

interface Round {
  perSecond: number;
  perCpuSecond: number;
}

/** Runs `one` over the samples, one after the other, for `ms`: verifications per second of wall time and per second of CPU. */
async function rate(all: Sample[], ms: number, one: (s: Sample) => unknown): Promise<Round> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < ms) {
    for (let i = 0; i < 64; i += 1) {
      const result = one(all[count++ % all.length]!);
      if (result instanceof Promise) await result;
    }
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: count / wallSeconds, perCpuSecond: count / ((cpu.user + cpu.system) / 1e6) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function summary(rounds: Round[]): CeilingFigures['simpleWebAuthn'] {
  const walls = rounds.map((r) => r.perSecond);
  return {
    perSecond: median(walls),
    min: Math.min(...walls),
    max: Math.max(...walls),
    perCpuSecond: median(rounds.map((r) => r.perCpuSecond)),
  };
}

/** Interleaved rounds (SimpleWebAuthn, raw, SimpleWebAuthn, raw…), so that a neighbour's burst of work touches both alike. */
async function main(roundMs: number, rounds: number): Promise<CeilingFigures> {
  const all = samples();
  await rate(all, WARMUP_MS, simpleWebAuthn);
  await rate(all, WARMUP_MS, rawEs256);
  const swa: Round[] = [];
  const es256: Round[] = [];
  for (let r = 0; r < rounds; r += 1) {
    swa.push(await rate(all, roundMs, simpleWebAuthn));
    es256.push(await rate(all, roundMs, rawEs256));
  }
  return {
    assertions: all.length,
    credentials: CREDENTIALS,
    roundMs,
    rounds,
    simpleWebAuthn: summary(swa),
    es256: summary(es256),
  };
}

process.once('message', (message: { roundMs: number; rounds: number }) => {
  main(message.roundMs, message.rounds).then(
    (figures) => process.send!({ type: 'ceilings', figures }, () => process.exit(0)),
    (error: unknown) => process.send!({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
});
