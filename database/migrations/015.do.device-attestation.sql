-- Attestation where it exists (issue 24): what the authenticator said of itself at enrolment, and whether it
-- was proven. `attestation_format` is the attestation statement's format as sent ('none', 'packed',
-- 'android-key', 'tpm', 'apple', ...); `attestation_verified` is true only when the service verified that
-- statement with a certificate chain ending at a root the operator trusts (ENROLLMENT_ATTESTATION_ROOTS_FILE,
-- or the Google and Apple roots SimpleWebAuthn ships): the device is then "verificado". Devices enrolled
-- before this migration were never asked for attestation: 'none', not verified.
ALTER TABLE enrollment.devices
  ADD COLUMN attestation_format text NOT NULL DEFAULT 'none'
    CONSTRAINT devices_attestation_format_check CHECK (attestation_format ~ '^[a-z0-9-]{1,32}$'),
  ADD COLUMN attestation_verified boolean NOT NULL DEFAULT false;

-- A verified attestation is never 'none': nothing was there to verify.
ALTER TABLE enrollment.devices ADD CONSTRAINT devices_attestation_verified_check
  CHECK (NOT attestation_verified OR attestation_format <> 'none');
