-- attendance.computed_status: the rule for a student's computed result (docs/architecture.md, "Functions").
-- Called where results are written: attendance.record_confirmations (a confirmation) and
-- node-service/src/modules/attendance/infrastructure/results-writer.ts (a round change, the close);
-- test/scan/status-rule.test.ts runs it on both database adapters.
--
-- Rounds run so far; rounds the student confirmed; their first confirmation; the moment after which a first
-- confirmation is late. late: first confirmation after the threshold, whatever the rounds; present: every
-- round run; partial: some; absent: none.
--
-- Re-created (CREATE OR REPLACE) on every start after the numbered migrations: edit it here, no migration.
CREATE OR REPLACE FUNCTION attendance.computed_status(
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
