-- A teacher's decision on a walk-in (a student not on the course roster whose confirmation was accepted
-- with a "to review" flag): accepted (the flag is cleared), or rejected (the registration goes, and with
-- it their confirmations and result). The decision is audited here, where a rejection outlives the rows
-- it removed.
CREATE TABLE attendance.walk_in_reviews (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id             uuid        NOT NULL REFERENCES attendance.sessions (id) ON DELETE CASCADE,
  student_id             text        NOT NULL,
  student_name           text        NOT NULL,
  decision               text        NOT NULL CHECK (decision IN ('accepted', 'rejected')),
  reason                 text        NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 500),
  confirmations_removed  integer     NOT NULL DEFAULT 0,
  actor_id               text        NOT NULL,
  actor_role             text        NOT NULL CHECK (actor_role IN ('teacher', 'admin')),
  reviewed_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX walk_in_reviews_session_idx ON attendance.walk_in_reviews (session_id, reviewed_at DESC);
