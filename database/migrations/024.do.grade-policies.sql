-- A course's grade policy (node-service domain/grade-policy.ts): how its attendance becomes the "nota de
-- asistencia" shown on the course page, in exports, on the student's page and sent to the LMS. No row: the
-- default (to date, nothing dropped, late and partial worth a whole class, no penalty), which gives every
-- student their attendance rate. The minimum to pass is the course minimum (migration 009), not repeated here.
CREATE TABLE attendance.course_grade_policies (
  course_id        text         PRIMARY KEY CHECK (course_id <> ''),
  basis            text         NOT NULL CHECK (basis IN ('to_date', 'all_scheduled')),
  drop_lowest      smallint     NOT NULL CHECK (drop_lowest BETWEEN 0 AND 50),
  late_points      numeric(3,2) NOT NULL CHECK (late_points BETWEEN 0 AND 1),
  partial_points   numeric(3,2) NOT NULL CHECK (partial_points BETWEEN 0 AND 1),
  absence_penalty  numeric(4,1) NOT NULL CHECK (absence_penalty BETWEEN 0 AND 100),
  set_by           text         NOT NULL,
  set_at           timestamptz  NOT NULL DEFAULT now()
);

-- Every change of it, as a course minimum's: who, from what to what (the policy's fields as JSON; null for
-- the default), why, when.
CREATE TABLE attendance.course_grade_policy_changes (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  course_id    text        NOT NULL CHECK (course_id <> ''),
  previous     jsonb,
  new          jsonb       NOT NULL,
  reason       text        NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 500),
  actor_id     text        NOT NULL,
  actor_role   text        NOT NULL CHECK (actor_role IN ('teacher', 'admin')),
  changed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX course_grade_policy_changes_course_idx ON attendance.course_grade_policy_changes (course_id, changed_at DESC);

-- What a partial class is worth (migration 021) is now the policy's partial points: one rule, not two. A
-- course that chose keeps its choice (full 1, half 0.5, none 0) under an otherwise default policy; the
-- choice's own table goes, its audit (course_partial_credit_changes) stays as history.
INSERT INTO attendance.course_grade_policies (course_id, basis, drop_lowest, late_points, partial_points, absence_penalty, set_by, set_at)
SELECT course_id, 'to_date', 0, 1, CASE credit WHEN 'full' THEN 1 WHEN 'half' THEN 0.5 ELSE 0 END, 0, set_by, set_at
FROM attendance.course_partial_credit;
DROP TABLE attendance.course_partial_credit;
