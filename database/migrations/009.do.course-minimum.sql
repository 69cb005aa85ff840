-- A course's minimum attendance, set by its teacher over the service's default (ATTENDANCE_MIN_RATE), in
-- percent with one decimal. No row: the default applies. Courses belong to the portal, so course_id is the
-- portal's course id, kept as text like everywhere else.
CREATE TABLE attendance.course_minimums (
  course_id         text         PRIMARY KEY CHECK (course_id <> ''),
  min_rate_percent  numeric(4,1) NOT NULL CHECK (min_rate_percent BETWEEN 0 AND 100),
  set_by            text         NOT NULL,
  set_at            timestamptz  NOT NULL DEFAULT now()
);

-- Every change of a course minimum, as corrections are audited: who, from what to what, why, when.
-- A null percent is the service's default (a course without its own minimum, or one set back to it).
CREATE TABLE attendance.course_minimum_changes (
  id                bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  course_id         text         NOT NULL CHECK (course_id <> ''),
  previous_percent  numeric(4,1) CHECK (previous_percent BETWEEN 0 AND 100),
  new_percent       numeric(4,1) CHECK (new_percent BETWEEN 0 AND 100),
  reason            text         NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 500),
  actor_id          text         NOT NULL,
  actor_role        text         NOT NULL CHECK (actor_role IN ('teacher', 'admin')),
  changed_at        timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX course_minimum_changes_course_idx ON attendance.course_minimum_changes (course_id, changed_at DESC);
