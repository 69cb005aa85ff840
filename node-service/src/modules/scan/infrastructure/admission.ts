import type { KeyValueStore, StoreScript } from '../../../shared/storage/key-value.js';
import type { RequestStop } from '../application/ports.js';

/**
 * The admission of a challenge request, in one round trip to Valkey: one Lua script (ADMISSION_LUA), and its
 * twin in TypeScript for the in-process store (`admitInProcess`, single instance, where round trips cost
 * nothing). scan-state.test.ts runs every verdict against both, the script on the real Valkey.
 *
 * Its keys are all passed as KEYS. They do not share one hash slot (the phone's keys, the network's budgets
 * and the challenge are different slots by nature): under Valkey Cluster the script would be refused
 * (CROSSSLOT) rather than run wrong; the supported deployments are one primary (with Sentinel), where it runs.
 */
export interface AdmissionInput {
  keys: {
    /** The nonce, served once (SET NX for as long as a challenge lives). */
    nonce: string;
    phoneBudget: string;
    networkBudget: string;
    unprovenBudget: string;
    typedPhone: string;
    typedNetwork: string;
    /** The "asking" marker (two at once) and the phone's latest use (two places). */
    asking: string;
    lastUse: string;
    challenge: string;
  };
  challengeTtlMs: number;
  /** The budgets' fixed window (ms) and their sizes per window. */
  budgetWindowMs: number;
  limits: { perPhone: number; perNetwork: number; unprovenPerNetwork: number; typedPerPhone: number; typedPerNetwork: number };
  typed: boolean;
  stopsAt: RequestStop | 'offer';
  /** This use as JSON (kept as the phone's latest use and as the "asking" marker). */
  use: string;
  /** The phone's latest use was on another network within the window (domain/sharing.ts twoPlaces). */
  elsewhere: boolean;
  /** SHARING_SIMULTANEOUS_MS and SHARING_WINDOW_SECONDS in ms (0 turns its rule off); SHARING_POLICY=refuse. */
  simultaneousMs: number;
  sharingWindowMs: number;
  refuseShared: boolean;
  /** The bound challenge as stored (challenge-codec.ts), without its first character (the sharing flag). */
  challenge: string;
}

export interface RawVerdict {
  verdict: 'replayed' | 'limited' | 'stopped' | 'shared' | 'offered';
  /** For 'replayed' and 'limited': the seconds to wait (0: none). For 'offered': 1 when the use is shared. */
  value: number;
  /** The "asking" marker another request of this phone left, when there was one (two at once). */
  asking: string | null;
}

/**
 * KEYS: 1 nonce, 2 phone budget, 3 network budget, 4 unproven budget, 5 typed per phone, 6 typed per
 * network, 7 asking marker, 8 latest use, 9 challenge.
 * ARGV: 1 challenge TTL (ms), 2 budget window (ms), 3 per phone, 4 per network, 5 unproven per network,
 * 6 typed per phone, 7 typed per network, 8 typed (1/0), 9 stops at, 10 use, 11 elsewhere (1/0),
 * 12 simultaneous (ms), 13 sharing window (ms), 14 refuse shared (1/0), 15 challenge.
 * Returns { verdict, value, asking } as RawVerdict says. The order of the checks is the order of the
 * refusals: each one spends what the sequential code spent before it.
 */
const ADMISSION_LUA = `
local window = ARGV[2]
-- A fixed window from the counter's first request; the seconds to wait once past max, else false.
local function spend(key, max)
  local count = redis.call('INCR', key)
  redis.call('PEXPIRE', key, window, 'NX')
  if count <= tonumber(max) then return false end
  return math.max(1, math.ceil(redis.call('PTTL', key) / 1000))
end

local fresh = redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX')
local phoneWait = spend(KEYS[2], ARGV[3])
if not fresh then return { 'replayed', spend(KEYS[4], ARGV[5]) or 0, false } end
if phoneWait then return { 'limited', phoneWait, false } end
local networkWait = spend(KEYS[3], ARGV[4])
if networkWait then return { 'limited', networkWait, false } end

local stopsAt = ARGV[9]
if stopsAt == 'devices' then return { 'stopped', 0, false } end
if ARGV[8] == '1' then
  local typedWait = spend(KEYS[5], ARGV[6])
  if typedWait then return { 'limited', typedWait, false } end
  typedWait = spend(KEYS[6], ARGV[7])
  if typedWait then
    redis.call('DECR', KEYS[5])
    return { 'limited', typedWait, false }
  end
  if stopsAt == 'code' then return { 'stopped', 0, false } end
  -- A right code gives its attempt back.
  redis.call('DECR', KEYS[5])
  redis.call('DECR', KEYS[6])
end
if stopsAt ~= 'offer' then return { 'stopped', 0, false } end

local simultaneous = tonumber(ARGV[12])
local alone, asking = true, false
if simultaneous > 0 then
  alone = redis.call('SET', KEYS[7], ARGV[10], 'PX', simultaneous, 'NX') ~= false
  if not alone then asking = redis.call('GET', KEYS[7]) end
end
local shared = ARGV[11] == '1' or not alone
-- A use refused for being elsewhere or at once leaves no trace: the first place and request go on.
if shared and ARGV[14] == '1' then
  if alone and simultaneous > 0 then redis.call('DEL', KEYS[7]) end
  return { 'shared', 0, asking }
end
if tonumber(ARGV[13]) > 0 then redis.call('SET', KEYS[8], ARGV[10], 'PX', ARGV[13]) end
redis.call('SET', KEYS[9], (shared and '1' or '0') .. ARGV[15], 'PX', ARGV[1])
return { 'offered', shared and 1 or 0, asking }
`;

const ADMISSION: StoreScript = { name: 'scanAdmission', lua: ADMISSION_LUA };

/** One round trip: the script on Valkey. */
export async function admitByScript(runScript: NonNullable<KeyValueStore['runScript']>, input: AdmissionInput): Promise<RawVerdict> {
  const { keys, limits } = input;
  const flag = (on: boolean) => (on ? '1' : '0');
  const answer = (await runScript(
    ADMISSION,
    [keys.nonce, keys.phoneBudget, keys.networkBudget, keys.unprovenBudget, keys.typedPhone, keys.typedNetwork, keys.asking, keys.lastUse, keys.challenge],
    [
      input.challengeTtlMs,
      input.budgetWindowMs,
      limits.perPhone,
      limits.perNetwork,
      limits.unprovenPerNetwork,
      limits.typedPerPhone,
      limits.typedPerNetwork,
      flag(input.typed),
      input.stopsAt,
      input.use,
      flag(input.elsewhere),
      input.simultaneousMs,
      input.sharingWindowMs,
      flag(input.refuseShared),
      input.challenge,
    ],
  )) as [RawVerdict['verdict'], number, string | null];
  return { verdict: answer[0], value: Number(answer[1]), asking: answer[2] ?? null };
}

/** The same steps on the in-process store, one after another (one process: nothing runs in between that matters). */
export async function admitInProcess(store: KeyValueStore, input: AdmissionInput): Promise<RawVerdict> {
  const { keys, limits } = input;
  const spend = async (key: string, max: number): Promise<number | false> => {
    const { count, ttlMs } = await store.increment(key, input.budgetWindowMs);
    return count <= max ? false : Math.max(1, Math.ceil(ttlMs / 1000));
  };
  const verdict = (kind: RawVerdict['verdict'], value = 0, asking: string | null = null): RawVerdict => ({ verdict: kind, value, asking });

  const fresh = await store.setIfAbsent(keys.nonce, '1', input.challengeTtlMs);
  const phoneWait = await spend(keys.phoneBudget, limits.perPhone);
  if (!fresh) return verdict('replayed', (await spend(keys.unprovenBudget, limits.unprovenPerNetwork)) || 0);
  if (phoneWait) return verdict('limited', phoneWait);
  const networkWait = await spend(keys.networkBudget, limits.perNetwork);
  if (networkWait) return verdict('limited', networkWait);

  if (input.stopsAt === 'devices') return verdict('stopped');
  if (input.typed) {
    const phoneTyped = await spend(keys.typedPhone, limits.typedPerPhone);
    if (phoneTyped) return verdict('limited', phoneTyped);
    const networkTyped = await spend(keys.typedNetwork, limits.typedPerNetwork);
    if (networkTyped) {
      await store.decrement(keys.typedPhone);
      return verdict('limited', networkTyped);
    }
    if (input.stopsAt === 'code') return verdict('stopped');
    await Promise.all([store.decrement(keys.typedPhone), store.decrement(keys.typedNetwork)]);
  }
  if (input.stopsAt !== 'offer') return verdict('stopped');

  const alone = input.simultaneousMs === 0 || (await store.setIfAbsent(keys.asking, input.use, input.simultaneousMs));
  const asking = alone ? null : await store.get(keys.asking);
  const shared = input.elsewhere || !alone;
  if (shared && input.refuseShared) {
    if (alone && input.simultaneousMs > 0) await store.delete(keys.asking);
    return verdict('shared', 0, asking);
  }
  if (input.sharingWindowMs > 0) await store.set(keys.lastUse, input.use, input.sharingWindowMs);
  await store.set(keys.challenge, `${shared ? '1' : '0'}${input.challenge}`, input.challengeTtlMs);
  return verdict('offered', shared ? 1 : 0, asking);
}
