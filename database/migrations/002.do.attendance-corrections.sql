-- A teacher's corrections to a result (excused, manually present, or back to the computed status), with
-- a reason: the audit trail. The result row keeps its computed status beside the corrected one.
CREATE TABLE attendance.corrections (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id       uuid        NOT NULL,
  student_id       text        NOT NULL,
  previous_status  text        NOT NULL,
  new_status       text        NOT NULL,
  reason           text        NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 500),
  actor_id         text        NOT NULL,
  actor_role       text        NOT NULL CHECK (actor_role IN ('teacher', 'admin')),
  corrected_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT corrections_result_fk FOREIGN KEY (session_id, student_id)
    REFERENCES attendance.results (session_id, student_id) ON DELETE CASCADE
);
CREATE INDEX corrections_session_idx ON attendance.corrections (session_id, corrected_at DESC);
