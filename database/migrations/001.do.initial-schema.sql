-- Asistencia: the initial schema. Postgres is the truth; Valkey holds nothing that matters after a minute.
-- Student and teacher ids are the portal's stable user ids (the JWT `sub`), kept as text.

CREATE SCHEMA enrollment;
CREATE SCHEMA attendance;

-- A passkey (FIDO2 credential) bound to the student who enrolled it.
CREATE TABLE enrollment.devices (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  credential_id    text        NOT NULL,                 -- base64url, as WebAuthn sends it
  public_key       bytea       NOT NULL,                 -- COSE public key
  sign_count       bigint      NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
  transports       text[]      NOT NULL DEFAULT '{}',
  aaguid           uuid        NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
  backup_eligible  boolean     NOT NULL DEFAULT false,
  backed_up        boolean     NOT NULL DEFAULT false,
  student_id       text        NOT NULL CHECK (student_id <> ''),
  friendly_name    text        NOT NULL CHECK (char_length(friendly_name) BETWEEN 1 AND 60),
  state            text        NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'flagged', 'revoked')),
  flagged_reason   text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_used_at     timestamptz,
  revoked_at       timestamptz,
  revoked_reason   text,
  CONSTRAINT devices_credential_id_unique UNIQUE (credential_id),
  CONSTRAINT devices_revoked_has_time CHECK ((state = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE INDEX devices_student_idx ON enrollment.devices (student_id, created_at DESC);

-- Every enrolment, rename, revocation, reset and flag: who, what, when, why.
CREATE TABLE enrollment.enrollment_history (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  student_id   text        NOT NULL,
  device_id    bigint      REFERENCES enrollment.devices (id),
  action       text        NOT NULL CHECK (action IN ('enrolled', 'renamed', 'revoked', 'reset', 'flagged')),
  actor_id     text        NOT NULL,
  actor_role   text        NOT NULL CHECK (actor_role IN ('student', 'teacher', 'admin', 'operator', 'system')),
  reason       text,
  details      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  occurred_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enrollment_history_student_idx ON enrollment.enrollment_history (student_id, occurred_at DESC);
CREATE INDEX enrollment_history_device_idx ON enrollment.enrollment_history (device_id) WHERE device_id IS NOT NULL;

-- A class session: one course, one room, one teacher, a number of rounds and the policy for scans.
CREATE TABLE attendance.sessions (
  id                     uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  course_id              text        NOT NULL CHECK (course_id <> ''),
  course_name            text        NOT NULL,
  teacher_id             text        NOT NULL CHECK (teacher_id <> ''),
  room                   text        NOT NULL CHECK (char_length(room) BETWEEN 1 AND 80),
  planned_start          timestamptz NOT NULL,
  planned_end            timestamptz NOT NULL,
  rounds_planned         smallint    NOT NULL CHECK (rounds_planned BETWEEN 1 AND 10),
  rotation_period_ms     integer     NOT NULL DEFAULT 3000 CHECK (rotation_period_ms BETWEEN 1000 AND 60000),
  grace_ms               integer     NOT NULL DEFAULT 3000 CHECK (grace_ms BETWEEN 0 AND 60000),
  late_after_minutes     integer     NOT NULL DEFAULT 15 CHECK (late_after_minutes BETWEEN 0 AND 600),
  allowed_networks       cidr[]      NOT NULL DEFAULT '{}',
  fallback_code_enabled  boolean     NOT NULL DEFAULT false,
  roster_policy          text        NOT NULL DEFAULT 'refuse' CHECK (roster_policy IN ('refuse', 'flag')),
  state                  text        NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'open', 'closed')),
  opened_at              timestamptz,
  closed_at              timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sessions_times_ordered CHECK (planned_end > planned_start),
  CONSTRAINT sessions_open_has_time CHECK (state = 'scheduled' OR opened_at IS NOT NULL),
  CONSTRAINT sessions_closed_has_time CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX sessions_teacher_idx ON attendance.sessions (teacher_id, planned_start DESC);
CREATE INDEX sessions_course_idx ON attendance.sessions (course_id, planned_start DESC);
CREATE INDEX sessions_live_idx ON attendance.sessions (state) WHERE state = 'open';

-- The rounds a teacher ran in a session, numbered from 1; at most one is open at a time.
CREATE TABLE attendance.rounds (
  session_id  uuid        NOT NULL REFERENCES attendance.sessions (id) ON DELETE CASCADE,
  number      smallint    NOT NULL CHECK (number BETWEEN 1 AND 10),
  started_at  timestamptz NOT NULL DEFAULT now(),
  ended_at    timestamptz,
  PRIMARY KEY (session_id, number),
  CONSTRAINT rounds_end_after_start CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX rounds_one_open_per_session ON attendance.rounds (session_id) WHERE ended_at IS NULL;

-- Who belongs to a session (its course roster when opened) or took part (a walk-in, flagged for the teacher).
CREATE TABLE attendance.registrations (
  session_id     uuid        NOT NULL REFERENCES attendance.sessions (id) ON DELETE CASCADE,
  student_id     text        NOT NULL CHECK (student_id <> ''),
  student_name   text        NOT NULL,
  source         text        NOT NULL CHECK (source IN ('roster', 'walk_in')),
  flagged        boolean     NOT NULL DEFAULT false,
  registered_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, student_id)
);
CREATE INDEX registrations_student_idx ON attendance.registrations (student_id);

-- One confirmation per student per round: a live QR code plus the student's own passkey.
CREATE TABLE attendance.validations (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id      uuid        NOT NULL,
  round           smallint    NOT NULL,
  student_id      text        NOT NULL,
  device_id       bigint      NOT NULL REFERENCES enrollment.devices (id),
  slot            bigint      NOT NULL CHECK (slot >= 0),
  client_address  inet,
  validated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT validations_round_fk FOREIGN KEY (session_id, round)
    REFERENCES attendance.rounds (session_id, number) ON DELETE CASCADE,
  CONSTRAINT validations_registration_fk FOREIGN KEY (session_id, student_id)
    REFERENCES attendance.registrations (session_id, student_id) ON DELETE CASCADE,
  CONSTRAINT validations_one_per_student_round UNIQUE (session_id, round, student_id)
);
CREATE INDEX validations_device_idx ON attendance.validations (device_id);

-- One consolidated row per student per session, kept current live and final at close.
CREATE TABLE attendance.results (
  session_id          uuid        NOT NULL,
  student_id          text        NOT NULL,
  status              text        NOT NULL
                      CHECK (status IN ('present', 'partial', 'late', 'absent', 'excused', 'manual_present')),
  computed_status     text        NOT NULL
                      CHECK (computed_status IN ('present', 'partial', 'late', 'absent')),
  rounds_confirmed    smallint    NOT NULL DEFAULT 0 CHECK (rounds_confirmed BETWEEN 0 AND 10),
  first_confirmed_at  timestamptz,
  is_final            boolean     NOT NULL DEFAULT false,
  override_reason     text,
  overridden_by       text,
  overridden_at       timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, student_id),
  CONSTRAINT results_registration_fk FOREIGN KEY (session_id, student_id)
    REFERENCES attendance.registrations (session_id, student_id) ON DELETE CASCADE,
  CONSTRAINT results_override_is_explained CHECK (
    (status IN ('excused', 'manual_present')) = (override_reason IS NOT NULL AND overridden_by IS NOT NULL)
  )
);
CREATE INDEX results_student_idx ON attendance.results (student_id);
