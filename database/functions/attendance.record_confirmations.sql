-- attendance.record_confirmations: what a confirmation records (docs/architecture.md, "Functions"). Called by
-- node-service/src/modules/attendance/infrastructure/confirmation-repository.ts, one call per batch of
-- confirmations.
--
-- p_items: a JSON array of confirmations, each {ord, session, round, student, device, slot, address, alerts,
-- signCount, backedUp, phoneKey, receipt}, at most one per student. One row per item, by ord; a session that
-- does not exist gives a row whose state is null.
--
-- The session's advisory-lock key is node-service/src/shared/storage/locks.ts `locks.session`, built here in
-- SQL (test/storage/locks.test.ts holds the two equal).
--
-- Re-created (CREATE OR REPLACE) on every start after the numbered migrations: edit it here, no migration.
-- A change of its arguments or of its result type needs a numbered migration that drops the old function
-- (CREATE OR REPLACE cannot change either; a new argument list would leave the old one beside it).
CREATE OR REPLACE FUNCTION attendance.record_confirmations(p_items jsonb)
RETURNS SETOF attendance.recorded_confirmation
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_session uuid;
  v_out attendance.recorded_confirmation[];
BEGIN
  -- The shared lock of each session of the batch, in one order for every batch.
  FOR v_session IN SELECT DISTINCT (e->>'session')::uuid FROM jsonb_array_elements(p_items) e ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('attendance.session:' || lower(v_session::text), 0));
  END LOOP;

  -- One statement over the batch. It moves the device's sign counter forward (only forward, checked on the
  -- row as it is now, so two copies of a passkey signing at once cannot both pass, and only while the device
  -- is active and still bound to the phone key that signed: a revocation or re-binding since the challenge
  -- wins), registers a walk-in when the session accepts them, inserts the validation once per (session,
  -- round, student) with the device's alerts, and writes the student's result by attendance.computed_status.
  -- A statement does not see its own inserts: the student's earlier rounds are counted, plus this one.
  WITH item AS (
    SELECT * FROM jsonb_to_recordset(p_items) AS i(
      ord int, session uuid, round smallint, student text, device bigint, slot bigint, address inet, alerts text[],
      "signCount" bigint, "backedUp" boolean, "phoneKey" text)
  ),
  found AS (
    SELECT i.*, s.state AS s_state, s.roster_policy AS s_policy, s.course_name AS s_course, s.room AS s_room,
           s.current_round AS s_round, (s.planned_start + make_interval(mins => s.late_after_minutes)) AS late_from,
           (SELECT g.source FROM attendance.registrations g WHERE g.session_id = s.id AND g.student_id = i.student) AS s_registration
    FROM item i JOIN attendance.sessions s ON s.id = i.session
  ),
  counted AS (
    UPDATE enrollment.devices d SET sign_count = i."signCount", last_used_at = now(), backed_up = COALESCE(i."backedUp", d.backed_up)
    FROM item i
    WHERE d.id = i.device AND d.state = 'active' AND d.phone_key_id = i."phoneKey"
      AND (i."signCount" > d.sign_count OR (i."signCount" = 0 AND d.sign_count = 0))
    RETURNING i.ord
  ),
  admitted AS (
    SELECT f.* FROM found f
    WHERE f.s_state = 'open' AND f.s_round = f.round AND (f.s_registration IS NOT NULL OR f.s_policy = 'flag')
      AND f.ord IN (SELECT c.ord FROM counted c)
  ),
  walk_in AS (
    INSERT INTO attendance.registrations (session_id, student_id, student_name, source, flagged)
    SELECT a.session, a.student, a.student, 'walk_in', true FROM admitted a WHERE a.s_registration IS NULL
    ORDER BY a.session, a.student
    ON CONFLICT (session_id, student_id) DO NOTHING
  ),
  new_validation AS (
    INSERT INTO attendance.validations (session_id, round, student_id, device_id, slot, client_address, alerts)
    SELECT a.session, a.round, a.student, a.device, a.slot, a.address, a.alerts FROM admitted a
    ORDER BY a.session, a.student
    ON CONFLICT (session_id, round, student_id) DO NOTHING
    RETURNING session_id, student_id, validated_at
  ),
  participation AS (
    SELECT n.session_id, n.student_id, count(v.id)::int + 1 AS rounds_confirmed, least(min(v.validated_at), n.validated_at) AS first_confirmed_at
    FROM new_validation n LEFT JOIN attendance.validations v ON v.session_id = n.session_id AND v.student_id = n.student_id
    GROUP BY n.session_id, n.student_id, n.validated_at
  ),
  result AS (
    INSERT INTO attendance.results AS res (session_id, student_id, status, computed_status, rounds_confirmed, first_confirmed_at, is_final, updated_at)
    SELECT p.session_id, p.student_id, c.status, c.status, p.rounds_confirmed, p.first_confirmed_at, false, now()
    FROM participation p JOIN admitted a ON a.session = p.session_id AND a.student = p.student_id,
         LATERAL (SELECT attendance.computed_status(a.s_round, p.rounds_confirmed, p.first_confirmed_at, a.late_from) AS status) c
    ORDER BY p.session_id, p.student_id
    -- The upsert of attendance/infrastructure/results-writer.ts: change both together.
    ON CONFLICT (session_id, student_id) DO UPDATE SET
      computed_status = EXCLUDED.computed_status,
      status = CASE WHEN res.status IN ('excused', 'manual_present', 'manual_absent') THEN res.status ELSE EXCLUDED.status END,
      rounds_confirmed = EXCLUDED.rounds_confirmed,
      first_confirmed_at = EXCLUDED.first_confirmed_at,
      is_final = EXCLUDED.is_final,
      updated_at = now()
  )
  SELECT array_agg(ROW(
           i.ord, f.s_state, f.s_policy, f.s_course, f.s_room, f.s_round, f.s_registration,
           EXISTS (SELECT 1 FROM counted c WHERE c.ord = i.ord),
           EXISTS (SELECT 1 FROM new_validation n WHERE n.session_id = i.session AND n.student_id = i.student)
         )::attendance.recorded_confirmation ORDER BY i.ord)
  INTO v_out
  FROM item i LEFT JOIN found f ON f.ord = i.ord;

  -- The receipts of the new validations, in the same transaction.
  PERFORM evidence.keep_receipts(array_agg((e->>'session')::uuid), array_agg(e->'receipt'))
  FROM unnest(v_out) o, LATERAL (SELECT p_items->(o.ord) AS e) x
  WHERE o.inserted AND jsonb_typeof(e->'receipt') = 'object';

  RETURN QUERY SELECT * FROM unnest(v_out);
END
$$;
