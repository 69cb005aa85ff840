-- Evidence and privacy (docs/privacy.md, docs/architecture.md "Receipts").
--
-- 1. Receipts: per confirmation, what was signed and by which keys, so that anyone can re-verify offline
--    that the student's enrolled phone and passkey signed presence in that session, round and slot
--    (npm run receipts -- verify). The keys are copied in: a device revoked or re-bound later does not
--    change what its receipts are checked against. A receipt is inserted unchained by the scan request and
--    sealed shortly after, in id order, by the sealer (evidence/infrastructure/sealer.ts), which gives each its
--    place in the session's chain (seq): prev_hash is the hash of the session's previous receipt (or the
--    session's genesis), hash is SHA-256 over the receipt's canonical JSON with seq and prev_hash. Any edit, deletion or reordering of sealed receipts breaks the chain.
CREATE SCHEMA evidence;

CREATE TABLE evidence.receipts (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id          uuid        NOT NULL,
  round               smallint,
  slot                bigint,
  student_id          text,
  device_id           bigint,       -- no foreign key: a receipt outlives its device's revocation
  credential_id       text,
  device_public_key   bytea,        -- COSE public key of the passkey, as it was
  phone_public_key    bytea,        -- SubjectPublicKeyInfo (DER) of the phone key, as it was
  challenge_id        text,
  challenge           text,         -- the WebAuthn challenge (base64url) the phone key also signed
  rp_id               text,
  origins             text[],       -- the origins the service accepted then
  authenticator_data  bytea,
  client_data_json    bytea,
  signature           bytea,
  user_handle         bytea,
  phone_signature     bytea,        -- over asistencia/phone-key/v1, scan-confirm, challenge_id, challenge
  confirmed_at        timestamptz NOT NULL DEFAULT now(),
  -- Erasure of a student keeps the row's place in the chain and nothing else (a tombstone).
  erased              boolean     NOT NULL DEFAULT false,
  seq                 bigint,       -- place in the session's chain (1, 2, ...), given when sealed
  prev_hash           bytea,
  hash                bytea,
  sealed_at           timestamptz,
  CONSTRAINT receipts_sealed_whole CHECK (
    (hash IS NULL) = (prev_hash IS NULL) AND (hash IS NULL) = (sealed_at IS NULL) AND (hash IS NULL) = (seq IS NULL)
  ),
  CONSTRAINT receipts_seq_unique UNIQUE (session_id, seq),
  CONSTRAINT receipts_evidence_whole CHECK (
    erased OR (round IS NOT NULL AND slot IS NOT NULL AND student_id IS NOT NULL AND credential_id IS NOT NULL
      AND device_public_key IS NOT NULL AND phone_public_key IS NOT NULL AND challenge_id IS NOT NULL
      AND challenge IS NOT NULL AND rp_id IS NOT NULL AND origins IS NOT NULL AND authenticator_data IS NOT NULL
      AND client_data_json IS NOT NULL AND signature IS NOT NULL AND phone_signature IS NOT NULL)
  ),
  CONSTRAINT receipts_tombstone_sealed CHECK (NOT erased OR hash IS NOT NULL)
);
CREATE INDEX receipts_session_idx ON evidence.receipts (session_id, seq);
CREATE INDEX receipts_unsealed_idx ON evidence.receipts (id) WHERE hash IS NULL;
CREATE INDEX receipts_student_idx ON evidence.receipts (student_id) WHERE student_id IS NOT NULL;
CREATE INDEX receipts_confirmed_idx ON evidence.receipts (confirmed_at);

-- The head of each session's chain: its last sealed receipt. Kept when receipts are pruned (retention):
-- pruned_count receipts ended with pruned_through_hash, which the first remaining receipt's prev_hash names.
CREATE TABLE evidence.chain_heads (
  session_id           uuid        PRIMARY KEY,
  last_id              bigint      NOT NULL,  -- id of the receipt at seq = sealed_count
  head_hash            bytea       NOT NULL,
  sealed_count         bigint      NOT NULL CHECK (sealed_count > 0),
  pruned_count         bigint      NOT NULL DEFAULT 0 CHECK (pruned_count >= 0 AND pruned_count <= sealed_count),
  pruned_through_hash  bytea,
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- 2. Privacy: every admin read of a student's data and every erasure (who, when, why; for an erasure the
--    anonymous id, never what was erased), and the runs of the daily retention job.
CREATE SCHEMA privacy;

CREATE TABLE privacy.audit (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  action       text        NOT NULL CHECK (action IN ('read', 'erased')),
  subject_id   text        NOT NULL,     -- the student read, or the anonymous id an erasure left
  actor_id     text        NOT NULL,
  actor_role   text        NOT NULL CHECK (actor_role IN ('admin', 'operator')),
  reason       text,
  occurred_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX privacy_audit_subject_idx ON privacy.audit (subject_id, occurred_at DESC);

CREATE TABLE privacy.job_runs (
  job          text        PRIMARY KEY,
  last_run_at  timestamptz NOT NULL,
  counts       jsonb       NOT NULL DEFAULT '{}'::jsonb
);

-- 3. Erasure moves a student's results to an anonymous id: the id follows registrations into validations,
--    results and corrections, and validations may outlive the erased devices.
ALTER TABLE attendance.validations DROP CONSTRAINT validations_registration_fk;
ALTER TABLE attendance.validations ADD CONSTRAINT validations_registration_fk FOREIGN KEY (session_id, student_id)
  REFERENCES attendance.registrations (session_id, student_id) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE attendance.results DROP CONSTRAINT results_registration_fk;
ALTER TABLE attendance.results ADD CONSTRAINT results_registration_fk FOREIGN KEY (session_id, student_id)
  REFERENCES attendance.registrations (session_id, student_id) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE attendance.corrections DROP CONSTRAINT corrections_result_fk;
ALTER TABLE attendance.corrections ADD CONSTRAINT corrections_result_fk FOREIGN KEY (session_id, student_id)
  REFERENCES attendance.results (session_id, student_id) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE attendance.validations ALTER COLUMN device_id DROP NOT NULL;
