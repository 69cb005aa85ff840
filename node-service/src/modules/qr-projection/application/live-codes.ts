import type { Rotation } from '../domain/rotation.js';
import { isLive, slotsAround } from '../domain/rotation.js';
import type { CodeStore, TokenClaim } from './ports.js';

/** Reading and ending live codes: what the scan step and the session's life need from projection. */
export function createLiveCodes(deps: { codes: CodeStore; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return {
    /** Ends the round's codes at once (round ended or session closed). */
    async invalidate(sessionId: string, round: number, rotation: Rotation): Promise<void> {
      const markerTtlMs = 2 * rotation.periodMs + rotation.graceMs;
      await deps.codes.invalidate(sessionId, round, slotsAround(now(), rotation), markerTtlMs);
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

    resolveFallback: (code: string) => deps.codes.resolveFallback(code),
  };
}

export type LiveCodes = ReturnType<typeof createLiveCodes>;
