import { randomBytes, randomInt } from 'node:crypto';
import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import { keystore } from '../../../shared/keystore.js';
import type { CodeStore, LiveCode, TokenClaim } from '../application/ports.js';

const FALLBACK_ATTEMPTS = 5;
/** A missing sentinel only costs a check of the codes on screen: once a minute when nothing was lost. */
const SENTINEL_TTL_MS = 60_000;

/**
 * QR tokens in Valkey. The slot key is set-if-absent, so of several instances rotating the same session the
 * first one's token wins and the others read it: exactly one token sequence. The token key maps a scanned
 * token back to its (session, round, slot) and expires with the code.
 */
export function createCodeStore(store: KeyValueStore): CodeStore {
  return {
    async ensure(claim, ttlMs, fallbackTtlMs) {
      const slotKey = keystore.qrSlot(claim.sessionId, claim.round, claim.slot);
      const existing = await store.get(slotKey);
      if (existing) return JSON.parse(existing) as LiveCode;
      if (await store.get(keystore.qrRoundEnded(claim.sessionId, claim.round))) return null;
      // Everything the candidate needs is written before it can win, so whoever reads the slot can scan it.
      const token = randomBytes(16).toString('base64url');
      const claimJson = JSON.stringify(claim);
      const candidate: LiveCode = { token, fallbackCode: fallbackTtlMs === null ? null : await reserveFallback(store, claimJson, fallbackTtlMs) };
      await store.set(keystore.qrToken(token), claimJson, ttlMs);
      // The slot lives as long as its longest-lived code, so that ending the round finds and deletes them all.
      if (await store.setIfAbsent(slotKey, JSON.stringify(candidate), Math.max(ttlMs, fallbackTtlMs ?? 0))) return candidate;
      await store.delete(keystore.qrToken(token), ...(candidate.fallbackCode ? [keystore.qrFallback(candidate.fallbackCode)] : []));
      const winner = await store.get(slotKey);
      return winner ? (JSON.parse(winner) as LiveCode) : null;
    },
    async resolve(token) {
      const value = await store.get(keystore.qrToken(token));
      return value ? (JSON.parse(value) as TokenClaim) : null;
    },
    async resolveFallback(code) {
      const value = await store.get(keystore.qrFallback(code));
      return value ? (JSON.parse(value) as TokenClaim) : null;
    },
    async intact(instanceId) {
      return !(await store.setIfAbsent(keystore.qrSentinel(instanceId), '1', SENTINEL_TTL_MS));
    },
    async invalidate(sessionId, round, slots, markerTtlMs) {
      await store.set(keystore.qrRoundEnded(sessionId, round), '1', markerTtlMs);
      for (const slot of slots) {
        const value = await store.take(keystore.qrSlot(sessionId, round, slot));
        if (!value) continue;
        const code = JSON.parse(value) as LiveCode;
        await store.delete(keystore.qrToken(code.token), ...(code.fallbackCode ? [keystore.qrFallback(code.fallbackCode)] : []));
      }
    },
  };
}

/** A six-digit code no live code holds, pointing at the claim; null (no fallback shown) after a few collisions. */
async function reserveFallback(store: KeyValueStore, claimJson: string, ttlMs: number): Promise<string | null> {
  for (let attempt = 0; attempt < FALLBACK_ATTEMPTS; attempt += 1) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    if (await store.setIfAbsent(keystore.qrFallback(code), claimJson, ttlMs)) return code;
  }
  return null;
}
