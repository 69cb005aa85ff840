import type { Rotation } from '../domain/rotation.js';
import { fallbackExpiresAt, isLive, slotsAround, slotStartsAt } from '../domain/rotation.js';
import type { CodeStore, TokenClaim } from './ports.js';

/** Reading and ending live codes: what the scan step and the session's life need from projection. */
export function createLiveCodes(deps: { codes: CodeStore; fallbackTtlMs: number; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return {
    /** Ends the round's codes at once (round ended or session closed), typed fallbacks included. */
    async invalidate(sessionId: string, round: number, rotation: Rotation): Promise<void> {
      const markerTtlMs = 2 * rotation.periodMs + rotation.graceMs;
      const liveMs = Math.max(rotation.periodMs + rotation.graceMs, deps.fallbackTtlMs);
      await deps.codes.invalidate(sessionId, round, slotsAround(now(), rotation, liveMs), markerTtlMs);
    },

    /**
     * What a scanned token stands for while it is live on the server clock, else null. The caller still
     * checks the session and round against Postgres.
     */
    async resolve(token: string, rotationOf: (sessionId: string) => Promise<Rotation | null>): Promise<TokenClaim | null> {
      const claim = await deps.codes.resolve(token);
      if (!claim) return null;
      const rotation = await rotationOf(claim.sessionId);
      return rotation && isLive(claim.slot, now(), rotation) ? claim : null;
    },

    /** What a typed fallback code stands for while it lives (longer than its QR code: see rotation.ts), else null. */
    async resolveFallback(code: string, rotationOf: (sessionId: string) => Promise<Rotation | null>): Promise<TokenClaim | null> {
      const claim = await deps.codes.resolveFallback(code);
      if (!claim) return null;
      const rotation = await rotationOf(claim.sessionId);
      if (!rotation) return null;
      const at = now();
      return at >= slotStartsAt(claim.slot, rotation.periodMs) && at < fallbackExpiresAt(claim.slot, rotation, deps.fallbackTtlMs) ? claim : null;
    },
  };
}

export type LiveCodes = ReturnType<typeof createLiveCodes>;
