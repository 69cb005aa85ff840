-- A confirmation is recorded by one statement (node-service: attendance/infrastructure/confirmation-repository.ts).
--
-- 1. The session row carries its rounds. A confirmation holds the session row FOR SHARE while the teacher's
--    round change or close holds it FOR UPDATE. Under READ COMMITTED, a statement that waited for that lock
--    re-reads the locked row as the teacher committed it, but not what its subqueries read: the open round
--    must therefore be on the row itself, or a confirmation that waited would land in a round that just ended.
ALTER TABLE attendance.sessions
  ADD COLUMN rounds_started smallint NOT NULL DEFAULT 0 CHECK (rounds_started BETWEEN 0 AND 10),
  ADD COLUMN current_round  smallint;

UPDATE attendance.sessions s SET
  rounds_started = coalesce((SELECT max(r.number) FROM attendance.rounds r WHERE r.session_id = s.id), 0),
  current_round  = (SELECT r.number FROM attendance.rounds r WHERE r.session_id = s.id AND r.ended_at IS NULL);

ALTER TABLE attendance.sessions
  ADD CONSTRAINT sessions_current_round_is_the_last CHECK (current_round IS NULL OR current_round = rounds_started),
  ADD CONSTRAINT sessions_round_only_while_open CHECK (current_round IS NULL OR state = 'open');

-- 2. The rule for a student's computed result, applied where results are written (a confirmation, a
--    round change, the close), so that each of those is one statement. Rounds run so far; rounds the
--    student confirmed; their first confirmation; the moment after which a first confirmation is late.
--    late: first confirmation after the threshold, whatever the rounds; present: every round run;
--    partial: some; absent: none.
CREATE FUNCTION attendance.computed_status(
  rounds_run integer, rounds_confirmed integer, first_confirmed_at timestamptz, late_from timestamptz
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN rounds_confirmed = 0 OR first_confirmed_at IS NULL THEN 'absent'
    WHEN first_confirmed_at > late_from THEN 'late'
    WHEN rounds_confirmed >= rounds_run THEN 'present'
    ELSE 'partial'
  END
$$;
