/** What a QR token stands for: one session, one round, one slot. */
export interface LiveCode {
  token: string;
  /** A short typed fallback when the session enables it, else null. */
  fallbackCode: string | null;
}

export interface TokenClaim {
  sessionId: string;
  round: number;
  slot: number;
}

export interface CodeStore {
  /**
   * The code of (session, round, slot): made by whichever instance asks first, read by every other, so one
   * sequence holds across instances. Returns null when the round was invalidated.
   */
  ensure(claim: TokenClaim, ttlMs: number, withFallback: boolean): Promise<LiveCode | null>;
  /** What a scanned token stands for, while it lives. */
  resolve(token: string): Promise<TokenClaim | null>;
  /** The token behind a typed fallback code, while it lives. */
  resolveFallback(code: string): Promise<string | null>;
  /** Deletes the codes of these slots at once and refuses to make new ones for the round. */
  invalidate(sessionId: string, round: number, slots: number[], markerTtlMs: number): Promise<void>;
}

export interface QrRenderer {
  svg(text: string): Promise<string>;
}
