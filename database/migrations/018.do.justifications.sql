-- Justifications (issue 26): a student asks to justify an absence from a class (a reason, optionally a
-- document: PDF, JPEG or PNG, at most JUSTIFICATION_MAX_BYTES, its type read from its first bytes), and the
-- class's teacher approves or rejects it with an optional note. Approving makes the result 'excused'
-- ("Justificado") through an audited correction (attendance.corrections); the request keeps the history:
-- who asked and when, who decided, how and when.
CREATE TABLE attendance.justifications (
  id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id        uuid        NOT NULL,
  student_id        text        NOT NULL,
  reason            text        NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 1000),
  attachment        bytea,
  attachment_type   text        CHECK (attachment_type IN ('application/pdf', 'image/jpeg', 'image/png')),
  attachment_name   text        CHECK (char_length(attachment_name) BETWEEN 1 AND 200),
  state             text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
  requested_at      timestamptz NOT NULL DEFAULT now(),
  decided_by        text,
  decided_by_name   text,
  decided_role      text        CHECK (decided_role IN ('teacher', 'admin')),
  decided_at        timestamptz,
  decision_note     text        CHECK (char_length(decision_note) BETWEEN 1 AND 500),
  CONSTRAINT justifications_attachment_whole CHECK ((attachment IS NULL) = (attachment_type IS NULL) AND (attachment IS NULL) = (attachment_name IS NULL)),
  CONSTRAINT justifications_decided CHECK ((state = 'pending') = (decided_at IS NULL) AND (decided_at IS NULL) = (decided_by IS NULL)),
  -- A student's id moves with their results when they are erased (ON UPDATE); erasure deletes the requests.
  CONSTRAINT justifications_result_fk FOREIGN KEY (session_id, student_id)
    REFERENCES attendance.results (session_id, student_id) ON UPDATE CASCADE ON DELETE CASCADE
);
-- One request waiting per student and class.
CREATE UNIQUE INDEX justifications_one_pending ON attendance.justifications (session_id, student_id) WHERE state = 'pending';
CREATE INDEX justifications_student_idx ON attendance.justifications (student_id, requested_at DESC);
CREATE INDEX justifications_session_idx ON attendance.justifications (session_id);
