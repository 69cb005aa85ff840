-- Sessions planned ahead (node-service: attendance/application/sessions.ts).
--
-- 1. A weekly series: what the teacher asked for (weekdays, wall-clock times in the institution's zone, the
--    first and last dates). It made one ordinary session per class, each edited or deleted on its own
--    afterwards; the session keeps the series it came from.
CREATE TABLE attendance.session_series (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  course_id    text        NOT NULL CHECK (course_id <> ''),
  teacher_id   text        NOT NULL CHECK (teacher_id <> ''),
  weekdays     smallint[]  NOT NULL CHECK (cardinality(weekdays) BETWEEN 1 AND 7 AND weekdays <@ '{1,2,3,4,5,6,7}'),
  start_time   time        NOT NULL,
  end_time     time        NOT NULL,
  first_date   date        NOT NULL,
  until_date   date        NOT NULL,
  time_zone    text        NOT NULL,
  occurrences  integer     NOT NULL CHECK (occurrences > 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT session_series_times_ordered CHECK (end_time > start_time),
  CONSTRAINT session_series_dates_ordered CHECK (until_date >= first_date)
);
CREATE INDEX session_series_teacher_idx ON attendance.session_series (teacher_id, created_at DESC);

ALTER TABLE attendance.sessions
  ADD COLUMN series_id uuid REFERENCES attendance.session_series (id) ON DELETE SET NULL;
CREATE INDEX sessions_series_idx ON attendance.sessions (series_id) WHERE series_id IS NOT NULL;

-- 2. A teacher's (or admin's) edit of a session before it opened (room, times, rounds), or the deletion of
--    one that never opened: what it was and what it became, who and when. No foreign key: the record of a
--    deletion outlives the session.
CREATE TABLE attendance.session_changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id  uuid        NOT NULL,
  course_id   text        NOT NULL,
  action      text        NOT NULL CHECK (action IN ('edited', 'deleted')),
  before      jsonb       NOT NULL,
  after       jsonb,
  actor_id    text        NOT NULL,
  actor_role  text        NOT NULL CHECK (actor_role IN ('teacher', 'admin')),
  changed_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT session_changes_after_of_edit CHECK ((action = 'edited') = (after IS NOT NULL))
);
CREATE INDEX session_changes_session_idx ON attendance.session_changes (session_id, changed_at DESC);

-- 3. The teacher's list, paged by (planned_start, id) and filtered by course (replaces sessions_teacher_idx).
DROP INDEX attendance.sessions_teacher_idx;
CREATE INDEX sessions_teacher_page_idx ON attendance.sessions (teacher_id, planned_start DESC, id DESC);
CREATE INDEX sessions_teacher_course_idx ON attendance.sessions (teacher_id, course_id, planned_start DESC, id DESC);
