import type { Rotation } from '../domain/rotation.js';
import { fallbackExpiresAt, isLive, slotsAround, slotStartsAt } from '../domain/rotation.js';
import type { CodeStore, TokenClaim } from './ports.js';

/**
 * Reading and ending live codes: what the scan step and the session's life need from projection. It needs
 * only the code store, so the composition root builds it before the modules that use it.
 */
export function createLiveCodes(deps: { codes: CodeStore; fallbackTtlMs: number; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return {
    /** Ends the round's codes at once (round ended or session closed), typed fallbacks included. */
    async invalidate(sessionId: string, round: number, rotation: Rotation): Promise<void> {
      const markerTtlMs = 2 * rotation.periodMs + rotation.graceMs;
      const liveMs = Math.max(rotation.periodMs + rotation.graceMs, deps.fallbackTtlMs);
      await deps.codes.invalidate(sessionId, round, slotsAround(now(), rotation, liveMs), markerTtlMs);
    },

    /** What a scanned token stands for while its key lives in Valkey, else null: judge it with `tokenLive`. */
    claimOf: (token: string): Promise<TokenClaim | null> => deps.codes.resolve(token),

    /** What a typed fallback code stands for while its key lives, else null: judge it with `typedLive`. */
    claimOfTyped: (code: string): Promise<TokenClaim | null> => deps.codes.resolveFallback(code),

    /** A token's slot is live at `at` (server time): the current slot and the previous one within the grace. */
    tokenLive: (claim: TokenClaim, rotation: Rotation, at: number = now()): boolean => isLive(claim.slot, at, rotation),

    /** A typed code lives longer than its QR code (see rotation.ts), from the moment it appeared. */
    typedLive(claim: TokenClaim, rotation: Rotation, at: number = now()): boolean {
      return at >= slotStartsAt(claim.slot, rotation.periodMs) && at < fallbackExpiresAt(claim.slot, rotation, deps.fallbackTtlMs);
    },
  };
}

export type LiveCodes = ReturnType<typeof createLiveCodes>;
