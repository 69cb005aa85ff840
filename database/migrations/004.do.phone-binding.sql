-- The phone binding (docs/architecture.md, "The phone key"). A passkey proves that a person unlocked a
-- credential; it does not prove which phone is in the room, since passkeys can be synced, shared or copied.
-- At enrolment the page makes a non-extractable P-256 key in the phone's browser (the phone key) and the
-- device row keeps its public half: every scan is signed by it, so a passkey used on any other phone is
-- refused.

ALTER TABLE enrollment.devices
  ADD COLUMN phone_key_id        text,         -- base64url SHA-256 of phone_public_key: what a scan names
  ADD COLUMN phone_public_key    bytea,        -- SubjectPublicKeyInfo (DER) of a P-256 key
  ADD COLUMN phone_key_bound_at  timestamptz,  -- enrolment, or the latest re-binding
  ADD CONSTRAINT devices_phone_key_whole CHECK (
    (phone_key_id IS NULL) = (phone_public_key IS NULL) AND (phone_key_id IS NULL) = (phone_key_bound_at IS NULL)
  );
CREATE INDEX devices_phone_key_idx ON enrollment.devices (phone_key_id) WHERE state <> 'revoked';

-- 'rebound': a new phone key replaced the old one; 'alerted': a note for admins that blocks nothing
-- (see device_alerts); 'refused': an enrolment or re-binding the policy refused (both students named).
ALTER TABLE enrollment.enrollment_history DROP CONSTRAINT enrollment_history_action_check;
ALTER TABLE enrollment.enrollment_history ADD CONSTRAINT enrollment_history_action_check
  CHECK (action IN ('enrolled', 'renamed', 'revoked', 'reset', 'flagged', 'rebound', 'alerted', 'refused'));

-- Alerts: what an admin should look at about a device that still works (a phone key shared with another
-- student under ENROLLMENT_SHARED_PHONE=flag, a synced passkey under ENROLLMENT_SYNCED_PASSKEYS=flag, more
-- re-bindings than ENROLLMENT_REBINDS_BEFORE_FLAG in 30 days). Unlike the 'flagged' state, an alert never
-- stops a scan; it rides along on every confirmation the device signs.
CREATE TABLE enrollment.device_alerts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id   bigint      NOT NULL REFERENCES enrollment.devices (id),
  reason      text        NOT NULL CHECK (reason IN ('shared_phone', 'synced_passkey', 'frequent_rebinds')),
  details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  raised_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT device_alerts_once UNIQUE (device_id, reason)
);

-- What a confirmation carried besides the proof itself: the device's alerts at that moment and
-- 'rebound_recently' (the phone key was re-bound in the 24 hours before). Shown to the teacher.
ALTER TABLE attendance.validations ADD COLUMN alerts text[] NOT NULL DEFAULT '{}';
