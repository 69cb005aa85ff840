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
   * sequence holds across instances. The token lives `ttlMs`; a typed fallback code is made only with a
   * `fallbackTtlMs` (the session enables it) and lives that long. Returns null when the round was invalidated.
   */
  ensure(claim: TokenClaim, ttlMs: number, fallbackTtlMs: number | null): Promise<LiveCode | null>;
  /** What a scanned token stands for, while it lives. */
  resolve(token: string): Promise<TokenClaim | null>;
  /** What a typed fallback code stands for, while it lives. */
  resolveFallback(code: string): Promise<TokenClaim | null>;
  /**
   * False when this instance's sentinel key was gone (and sets it again): Valkey may have lost its data, so
   * the codes on screen may be gone too. Also false, harmlessly, once the sentinel outlived its TTL.
   */
  intact(instanceId: string): Promise<boolean>;
  /** Deletes the codes of these slots at once and refuses to make new ones for the round. */
  invalidate(sessionId: string, round: number, slots: number[], markerTtlMs: number): Promise<void>;
}
