-- What "Parcial" (a student who confirmed some rounds of a class, not all) is worth in a course's rate and
-- standing, as its teacher chooses: a class attended ('full', what every course had before), half of one
-- ('half'), or an absence ('none'). No row: 'full'.
CREATE TABLE attendance.course_partial_credit (
  course_id  text        PRIMARY KEY CHECK (course_id <> ''),
  credit     text        NOT NULL CHECK (credit IN ('full', 'half', 'none')),
  set_by     text        NOT NULL,
  set_at     timestamptz NOT NULL DEFAULT now()
);

-- Every change of it, as a course minimum's: who, from what to what, why, when.
CREATE TABLE attendance.course_partial_credit_changes (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  course_id    text        NOT NULL CHECK (course_id <> ''),
  previous     text        NOT NULL CHECK (previous IN ('full', 'half', 'none')),
  new          text        NOT NULL CHECK (new IN ('full', 'half', 'none')),
  reason       text        NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 500),
  actor_id     text        NOT NULL,
  actor_role   text        NOT NULL CHECK (actor_role IN ('teacher', 'admin')),
  changed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX course_partial_credit_changes_course_idx ON attendance.course_partial_credit_changes (course_id, changed_at DESC);
