/**
 * Which open sockets presented which token (`jti`), so a revocation closes them. A revocation announced
 * between a socket's revocation check and its registration here would miss it; revoked `jti`s are therefore
 * remembered for `rememberMs`, and a socket registering one of them is told to close at once.
 */
export interface TokenHolders<H> {
  /** Registers `holder` for `jti`; false when `jti` was revoked moments ago (the holder must close). */
  hold(jti: string, holder: H): boolean;
  release(jti: string, holder: H): void;
  /** The holders of a revoked `jti`, to close; the `jti` is remembered. */
  revoke(jti: string): H[];
}

export function createTokenHolders<H>(options: { rememberMs: number; now?: () => number }): TokenHolders<H> {
  const now = options.now ?? Date.now;
  const holders = new Map<string, Set<H>>();
  const recentlyRevoked = new Map<string, number>();
  const forgetOld = () => {
    const before = now() - options.rememberMs;
    // Insertion order is revocation order: stop at the first one still recent.
    for (const [jti, at] of recentlyRevoked) {
      if (at > before) break;
      recentlyRevoked.delete(jti);
    }
  };
  return {
    hold(jti, holder) {
      forgetOld();
      if (recentlyRevoked.has(jti)) return false;
      const set = holders.get(jti) ?? new Set<H>();
      set.add(holder);
      holders.set(jti, set);
      return true;
    },
    release(jti, holder) {
      const set = holders.get(jti);
      set?.delete(holder);
      if (set?.size === 0) holders.delete(jti);
    },
    revoke(jti) {
      forgetOld();
      recentlyRevoked.delete(jti);
      recentlyRevoked.set(jti, now());
      return [...(holders.get(jti) ?? [])];
    },
  };
}
