import { createHash, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSoftAuthenticator, type SoftAuthenticator, type SoftCredential } from '../../../test/support/authenticator.js';
import { createAssertionVerifier, type AssertionVerdict } from './assertion.js';
import { createCachedAssertionVerifier } from './cached-assertion.js';

/**
 * The differential test the fast path must pass: the same assertions, valid and mutated in every field
 * (ids, type, clientDataJSON's type, challenge, origin and cross-origin fields, authenticator data's RP id
 * hash, flags, counter and length, the signature's bytes and DER form, the user handle, the key), go to
 * SimpleWebAuthn alone and to the cached path, and every verdict must be the same. Seeded: FAST_PATH_SEED
 * repeats a run. Checked by breaking the fast path on purpose, one check at a time (origin, challenge, RP id
 * hash, UV flag, backup flags, a non-minimal or a 33-byte DER integer): each time this test failed. The
 * canonical-base64url check is narrower than needed (SimpleWebAuthn reads stray trailing bits the same
 * way, so removing it changes no verdict); it stays so the fast path never reads bytes differently.
 */
const SEED = Number(process.env.FAST_PATH_SEED ?? 20261127);
const ASSERTIONS = Number(process.env.FAST_PATH_ASSERTIONS ?? 10_000);
const ORIGIN = 'https://asistencia.example.edu';
const RP_ID = 'asistencia.example.edu';
const settings = { rpId: RP_ID, origins: [ORIGIN] };

function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

type Json = Record<string, unknown> & { response: Record<string, unknown> };
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const bytesOf = (value: unknown) => Buffer.from(String(value), 'base64url');

/** What the authenticator and the browser put together before signing: changed here, then signed validly. */
interface Parts {
  clientData: Record<string, unknown>;
  authData: Buffer;
}

/**
 * Mutations before signing (the signature stays valid: the checks themselves must refuse) and after it
 * (the signature, ids, encodings: what a relay or a broken client could change).
 */
const signedMutations: Record<string, (p: Parts, rng: ReturnType<typeof random>) => void> = {
  none: () => undefined,
  clientType: (p) => void (p.clientData['type'] = 'webauthn.create'),
  clientChallenge: (p) => void (p.clientData['challenge'] = b64('other challenge')),
  clientOrigin: (p, rng) => void (p.clientData['origin'] = rng.pick(['https://evil.example', 'http://asistencia.example.edu', `${ORIGIN}/`, ORIGIN.toUpperCase()])),
  clientCrossOriginTrue: (p) => void (p.clientData['crossOrigin'] = true),
  clientTopOrigin: (p) => void (p.clientData['topOrigin'] = ORIGIN),
  clientTokenBinding: (p, rng) => void (p.clientData['tokenBinding'] = rng.pick([{ status: 'present' }, { status: 'bogus' }, 'x'])),
  clientExtraKey: (p) => void (p.clientData['other_keys_can_be_added_here'] = 'ok'),
  authRpIdHash: (p, rng) => {
    const at = rng.int(32);
    p.authData[at] = p.authData[at]! ^ (1 << rng.int(8));
  },
  authFlags: (p, rng) => void (p.authData[32] = rng.int(256)),
  authNoUv: (p) => void (p.authData[32] = p.authData[32]! & ~0x04),
  authNoUp: (p) => void (p.authData[32] = p.authData[32]! & ~0x01),
  authCounter: (p, rng) => void p.authData.writeUInt32BE(rng.pick([0, 1, 7, 0xffffffff]), 33),
  authShort: (p) => void (p.authData = p.authData.subarray(0, 36)),
  authLong: (p) => void (p.authData = Buffer.concat([p.authData, Buffer.from([0])])),
};
const mutations: Record<string, (a: Json, rng: ReturnType<typeof random>) => void> = {
  none: () => undefined,
  idMissing: (a) => void (a['id'] = ''),
  idNotRawId: (a) => void (a['rawId'] = `${String(a['rawId'])}A`),
  typeWrong: (a) => void (a['type'] = 'public-key-x'),
  responseMissing: (a) => void delete (a as Partial<Json>).response,
  clientNotJson: (a) => void (a.response['clientDataJSON'] = b64('{not json')),
  clientArray: (a) => void (a.response['clientDataJSON'] = b64('[1,2]')),
  clientNonCanonical: (a) => void (a.response['clientDataJSON'] = bumpTrailingBits(String(a.response['clientDataJSON']))),
  authNonCanonical: (a) => void (a.response['authenticatorData'] = bumpTrailingBits(String(a.response['authenticatorData']))),
  sigFlip: (a, rng) => editSignature(a, (s) => {
    const at = rng.int(s.length);
    s[at] = s[at]! ^ (1 << rng.int(8));
  }),
  sigTruncated: (a) => editSignature(a, (s) => s.subarray(0, s.length - 1)),
  sigRandom: (a, rng) => editSignature(a, () => Buffer.from(Array.from({ length: 70 }, () => rng.int(256)))),
  sigRaw: (a) => editSignature(a, (s) => derToRaw(s)),
  sigPaddedInteger: (a) => editSignature(a, (s) => padFirstInteger(s)),
  sigBigInteger: (a) => editSignature(a, (s) => widenFirstInteger(s)),
  sigLongLength: (a) => editSignature(a, (s) => Buffer.concat([Buffer.from([0x30, 0x81, s[1]!]), s.subarray(2)])),
  sigTrailing: (a) => editSignature(a, (s) => Buffer.concat([s, Buffer.from([0])])),
  sigNonCanonical: (a) => void (a.response['signature'] = bumpTrailingBits(String(a.response['signature']))),
  userHandleJunk: (a) => void (a.response['userHandle'] = 'not base64url!'),
  userHandleNumber: (a) => void (a.response['userHandle'] = 42),
  userHandleMissing: (a) => void delete a.response['userHandle'],
};

/** An assertion over `parts`, signed by the credential as an authenticator would. */
function signedAssertion(credential: SoftCredential, parts: Parts): Json {
  const clientDataJSON = Buffer.from(JSON.stringify(parts.clientData));
  const signature = sign('sha256', Buffer.concat([parts.authData, createHash('sha256').update(clientDataJSON).digest()]), credential.privateKey);
  return {
    id: credential.id,
    rawId: credential.id,
    type: 'public-key',
    response: { clientDataJSON: b64(clientDataJSON), authenticatorData: b64(parts.authData), signature: b64(signature), userHandle: credential.userHandle },
    clientExtensionResults: {},
  };
}

function editSignature(a: Json, edit: (s: Buffer) => Buffer | void): void {
  const signature = Buffer.from(bytesOf(a.response['signature']));
  a.response['signature'] = b64(edit(signature) ?? signature);
}
/** The same bytes, written with the unused low bits of the last character set: a stricter decoder may refuse. */
function bumpTrailingBits(value: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  if (value.length % 4 === 0) return value;
  return value.slice(0, -1) + alphabet[(alphabet.indexOf(value.at(-1)!) + 1) % 64]!;
}
function derToRaw(der: Buffer): Buffer {
  const rLength = der[3]!;
  const r = der.subarray(4, 4 + rLength);
  const s = der.subarray(6 + rLength);
  const fixed = (x: Buffer) => (x.length === 33 ? x.subarray(1) : Buffer.concat([Buffer.alloc(32 - x.length), x]));
  return Buffer.concat([fixed(r), fixed(s)]);
}
/** r written one byte wider with a leading 0x01: a larger integer whose low 32 bytes are r. */
function widenFirstInteger(der: Buffer): Buffer {
  const rLength = der[3]!;
  let r = der.subarray(4, 4 + rLength);
  if (r.length === 33) r = r.subarray(1);
  const wide = Buffer.concat([Buffer.from([0x01]), Buffer.alloc(32 - r.length), r]);
  const rest = der.subarray(4 + rLength);
  const body = Buffer.concat([Buffer.from([0x02, wide.length]), wide, rest]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** r written with one more leading zero than it needs: valid BER, not canonical DER. */
function padFirstInteger(der: Buffer): Buffer {
  const rLength = der[3]!;
  const r = Buffer.concat([Buffer.from([0]), der.subarray(4, 4 + rLength)]);
  const rest = der.subarray(4 + rLength);
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, rest]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

const summary = (verdict: AssertionVerdict) =>
  verdict.ok ? { ok: true, counter: verdict.newCounter, backedUp: verdict.backedUp, userHandle: verdict.userHandle && b64(verdict.userHandle) } : verdict;

describe('the cached fast path against SimpleWebAuthn', () => {
  it(`gives the same verdict on ${ASSERTIONS} assertions, valid and mutated in every field (seed ${SEED})`, async () => {
    const rng = random(SEED);
    const reference = createAssertionVerifier(settings);
    const fast = createCachedAssertionVerifier(settings, reference);
    const phones: SoftAuthenticator[] = Array.from({ length: 12 }, () => createSoftAuthenticator({ origin: ORIGIN, rpId: RP_ID }));
    const credentials = phones.map((phone, i) => {
      phone.register({
        challenge: b64(`c${i}`),
        rp: { id: RP_ID, name: 'Asistencia' },
        user: { id: b64(String(100 + i)), name: `s${i}`, displayName: `s${i}` },
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      });
      return phone.credentials()[0]!;
    });
    const stored = credentials.map((c) => ({ credentialId: c.id, publicKey: new Uint8Array(c.publicKeyCose) }));
    const rpIdHash = createHash('sha256').update(RP_ID).digest();
    const signedNames = Object.keys(signedMutations);
    const names = Object.keys(mutations);
    const counts = { accepted: 0, refused: 0 };
    for (let i = 0; i < ASSERTIONS; i += 1) {
      const which = rng.int(credentials.length);
      const challenge = b64(createHash('sha256').update(`challenge ${i}`).digest());
      const flags = 0x01 | 0x04 | (rng.next() < 0.3 ? 0x08 : 0) | (rng.next() < 0.2 ? 0x10 : 0);
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(i + 1);
      const parts: Parts = {
        clientData: { type: 'webauthn.get', challenge, origin: ORIGIN, crossOrigin: false },
        authData: Buffer.concat([rpIdHash, Buffer.from([flags]), counter]),
      };
      // Half are valid; the other half carry one mutation, before or after signing (and now and then the
      // stored key is another credential's).
      const roll = rng.next();
      const before = roll < 0.5 ? 'none' : roll < 0.75 ? rng.pick(signedNames) : 'none';
      const after = roll >= 0.75 ? rng.pick(names) : 'none';
      signedMutations[before]!(parts, rng);
      const assertion = signedAssertion(credentials[which]!, parts);
      mutations[after]!(assertion, rng);
      const credential = rng.next() < 0.03 ? stored[(which + 1) % stored.length]! : stored[which]!;
      const input = { response: structuredClone(assertion), expectedChallenge: challenge, credential };
      const expected = summary(await reference.verify({ ...input, response: structuredClone(assertion) }));
      const actual = summary(await fast.verify(input));
      expect(actual, `assertion ${i}, mutation ${before}/${after}`).toEqual(expected);
      counts[expected.ok ? 'accepted' : 'refused'] += 1;
    }
    // Both kinds were really exercised.
    expect(counts.accepted).toBeGreaterThan(ASSERTIONS * 0.4);
    expect(counts.refused).toBeGreaterThan(ASSERTIONS * 0.3);
  }, 120_000);

  it('answers valid assertions without SimpleWebAuthn, and hands everything else to it', async () => {
    let referenceCalls = 0;
    const reference = createAssertionVerifier(settings);
    const counting = { ...reference, verify: (input: Parameters<typeof reference.verify>[0]) => (referenceCalls += 1, reference.verify(input)) };
    const fast = createCachedAssertionVerifier(settings, counting);
    const phone = createSoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    phone.register({ challenge: 'AAAA', rp: { id: RP_ID, name: 'A' }, user: { id: 'MQ', name: 'x', displayName: 'x' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }] });
    const credential = { credentialId: phone.credentials()[0]!.id, publicKey: new Uint8Array(phone.credentials()[0]!.publicKeyCose) };
    for (let i = 0; i < 3; i += 1) {
      const challenge = b64(`challenge-${i}`);
      expect((await fast.verify({ response: phone.assert({ challenge, rpId: RP_ID }), expectedChallenge: challenge, credential })).ok).toBe(true);
    }
    expect(referenceCalls).toBe(0);
    const wrong = await fast.verify({ response: phone.assert({ challenge: b64('x'), rpId: RP_ID }), expectedChallenge: b64('y'), credential });
    expect(wrong).toEqual({ ok: false, reason: 'invalid' });
    expect(referenceCalls).toBe(1);
  });
});
