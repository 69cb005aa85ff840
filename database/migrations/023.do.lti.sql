-- LTI 1.3 (docs/lms.md): the platforms (LMSs) that may launch Asistencia, the tool's own signing keys, the
-- nonces of accepted launches, which LMS course maps to which Asistencia course, the roster the LMS reports
-- (NRPS) and the grades sent back to it (AGS). Schema `lti`, owned by the lti module.
CREATE SCHEMA IF NOT EXISTS lti;

-- One registration of Asistencia in one platform: its issuer and the client id it gave us, where its
-- OIDC authorisation, OAuth token and JWKS endpoints are.
CREATE TABLE lti.platforms (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issuer text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 2000),
  client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 255),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  auth_url text NOT NULL CHECK (length(auth_url) BETWEEN 1 AND 2000),
  token_url text NOT NULL CHECK (length(token_url) BETWEEN 1 AND 2000),
  jwks_url text NOT NULL CHECK (length(jwks_url) BETWEEN 1 AND 2000),
  -- 'manual' (the admin's form) or 'dynamic' (LTI Dynamic Registration 1.0).
  registered_by text NOT NULL CHECK (registered_by IN ('manual', 'dynamic')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (issuer, client_id)
);

-- A launch names its deployment; only the ones registered here are accepted.
CREATE TABLE lti.deployments (
  platform_id bigint NOT NULL REFERENCES lti.platforms (id) ON DELETE CASCADE,
  deployment_id text NOT NULL CHECK (length(deployment_id) BETWEEN 1 AND 255),
  PRIMARY KEY (platform_id, deployment_id)
);

-- The nonce of every accepted launch, until it expires: a second launch with the same nonce is a replay.
CREATE TABLE lti.nonces (
  platform_id bigint NOT NULL REFERENCES lti.platforms (id) ON DELETE CASCADE,
  nonce text NOT NULL CHECK (length(nonce) BETWEEN 1 AND 255),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (platform_id, nonce)
);
CREATE INDEX nonces_expiry ON lti.nonces (expires_at);

-- The tool's RSA keys. The JWKS publishes 'current' and 'previous' (a platform that cached the old key
-- still verifies messages signed just before a rotation); 'retired' keys are kept for the record only.
CREATE TABLE lti.tool_keys (
  kid text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('current', 'previous', 'retired')),
  public_jwk jsonb NOT NULL,
  private_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tool_keys_one_current ON lti.tool_keys (state) WHERE state = 'current';
CREATE UNIQUE INDEX tool_keys_one_previous ON lti.tool_keys (state) WHERE state = 'previous';

-- One-time links an admin hands to an LMS to start Dynamic Registration (only their hash is kept).
CREATE TABLE lti.registration_invitations (
  token_hash text PRIMARY KEY,
  created_by text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- An LMS course (the LTI context) placed onto an Asistencia course by its teacher (deep linking) or an admin,
-- with the service endpoints the platform announced in the last launch.
CREATE TABLE lti.course_links (
  platform_id bigint NOT NULL REFERENCES lti.platforms (id) ON DELETE CASCADE,
  context_id text NOT NULL CHECK (length(context_id) BETWEEN 1 AND 255),
  course_id text NOT NULL CHECK (length(course_id) BETWEEN 1 AND 64),
  context_title text NOT NULL DEFAULT '',
  memberships_url text,
  lineitems_url text,
  -- The line item the tool created for this course's attendance grade.
  lineitem_url text,
  roster_synced_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, context_id)
);
CREATE INDEX course_links_course ON lti.course_links (course_id);

-- The course roster as the platform reports it (NRPS), students who never launched included; person_id is
-- the portal's person with the same e-mail (or configured claim), null when the portal has none.
CREATE TABLE lti.members (
  platform_id bigint NOT NULL,
  context_id text NOT NULL,
  user_id text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 255),
  name text NOT NULL DEFAULT '',
  email text,
  role text NOT NULL CHECK (role IN ('teacher', 'student', 'other')),
  person_id text,
  synced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, context_id, user_id),
  FOREIGN KEY (platform_id, context_id) REFERENCES lti.course_links (platform_id, context_id) ON DELETE CASCADE
);

-- The attendance grade of one student in one linked course: what it is, what the platform last accepted,
-- and the state the teacher sees: 'sent' (enviado), 'pending' (pendiente) or 'failed' (with the reason,
-- retried at next_attempt_at with backoff).
CREATE TABLE lti.grade_sync (
  platform_id bigint NOT NULL,
  context_id text NOT NULL,
  user_id text NOT NULL,
  student_id text NOT NULL,
  score numeric NOT NULL,
  sent_score numeric,
  state text NOT NULL CHECK (state IN ('sent', 'pending', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, context_id, user_id),
  FOREIGN KEY (platform_id, context_id) REFERENCES lti.course_links (platform_id, context_id) ON DELETE CASCADE
);
CREATE INDEX grade_sync_due ON lti.grade_sync (next_attempt_at) WHERE state <> 'sent';
