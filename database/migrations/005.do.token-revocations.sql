-- Revoked portal tokens (portal logout): the truth of the revocation list, so a revoked `jti` stays revoked
-- until the token would have expired, whatever Valkey loses (a restart with no saved data, a FLUSHALL).
-- Rows past `expires_at` are of no use and are deleted as new revocations arrive.
CREATE SCHEMA auth;

CREATE TABLE auth.revoked_tokens (
  jti          text        PRIMARY KEY CHECK (char_length(jti) BETWEEN 1 AND 128),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_tokens_expires_idx ON auth.revoked_tokens (expires_at);
