/**
 * Every Valkey key prefix and channel, with its time to live, declared in one place. Nothing here matters
 * after about a minute: losing Valkey loses live codes and challenges, never attendance.
 */
export const keystore = {
  /** A portal token's `jti` refused until the token would have expired anyway. */
  revokedToken: (jti: string) => `auth:revoked:${jti}`,
  /** Fixed-window request counters of the rate limiter. */
  rateLimit: (key: string) => `ratelimit:${key}`,
} as const;

export const ttl = {
  /** Extra time a revoked `jti` is kept past its `exp`, to cover the verifier's clock tolerance. */
  revokedTokenSlackMs: 60_000,
} as const;
