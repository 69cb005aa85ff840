-- Every dead end ends in class (issue 26): a student whose scan was refused after their phone or passkey
-- named them shows on the teacher's live roster ("intentó 10:02 · llave bloqueada"), with one click to mark
-- them present. One row per student and session: the latest refusal, when, and how many there were.
CREATE TABLE attendance.scan_attempts (
  session_id  uuid        NOT NULL REFERENCES attendance.sessions (id) ON DELETE CASCADE,
  student_id  text        NOT NULL,
  last_code   text        NOT NULL CHECK (char_length(last_code) BETWEEN 1 AND 64),
  last_at     timestamptz NOT NULL DEFAULT now(),
  attempts    integer     NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  PRIMARY KEY (session_id, student_id)
);
