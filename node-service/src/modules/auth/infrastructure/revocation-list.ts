import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { RevocationList } from '../application/ports.js';

// The truth is in PostgreSQL (migration 005), not Valkey: a Valkey restart with no saved data, or a
// FLUSHALL, must not bring a logged-out token back to life. One primary-key lookup per authentication.
const INSERT_REVOCATION = `
  INSERT INTO auth.revoked_tokens (jti, expires_at)
  VALUES ($1, to_timestamp($2::double precision / 1000))
  ON CONFLICT (jti) DO UPDATE SET expires_at = GREATEST(auth.revoked_tokens.expires_at, EXCLUDED.expires_at)`;
const IS_REVOKED = `SELECT 1 FROM auth.revoked_tokens WHERE jti = $1`;
// Rows past the token's life (plus the clock tolerance) refuse nothing the verifier would accept.
const PURGE_EXPIRED = `DELETE FROM auth.revoked_tokens WHERE expires_at < now()`;

/** Extra time a revoked `jti` is kept past its `exp`, to cover the verifier's clock tolerance (≤ 30 s). */
const SLACK_MS = 60_000;

/** Revoked `jti`s, kept until the token would have expired anyway (plus the verifier's clock tolerance). */
export function createRevocationList(db: SqlDatabase, now: () => number = Date.now): RevocationList {
  return {
    async revoke(jti, expiresAt) {
      const keepUntilMs = expiresAt * 1000 + SLACK_MS;
      if (keepUntilMs <= now()) return;
      await db.query(INSERT_REVOCATION, [jti, keepUntilMs]);
      await db.query(PURGE_EXPIRED);
    },
    async isRevoked(jti) {
      return (await db.query(IS_REVOKED, [jti])).rowCount > 0;
    },
  };
}
