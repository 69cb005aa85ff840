-- Course staff (issue 26): a person's list of sessions is now every session of the courses they teach or
-- staff (co-teacher, assistant), whoever planned it, so it is read by course rather than by teacher, paged by
-- (planned_start, id) as before. The per-teacher indexes stay: nothing else reads them, but dropping them is
-- left for a later migration once no older instance runs beside a newer one.
CREATE INDEX sessions_course_page_idx ON attendance.sessions (course_id, planned_start DESC, id DESC);
