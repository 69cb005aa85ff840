-- Confirmations recorded in batches (docs/benchmarks.md, "Scan efficiency, third pass").
--
-- A profile of PostgreSQL during a classroom's burst showed that most of a confirmation's cost was per
-- statement, not per row: starting the executor for each statement of `record_confirmation`, compiling the
-- tables' CHECK constraints again for each INSERT, the foreign-key queries, the commit and its WAL flush, the
-- round trip. When confirmations queue for PostgreSQL, the service now sends those waiting as one call of
-- `record_confirmations` (attendance/infrastructure/confirmation-repository.ts): the statement of
-- `record_confirmation` (migration 011) over a set of confirmations, under the same shared session locks,
-- one commit for the batch. A confirmation alone is a batch of one, so there is one definition of what a
-- confirmation records, and `record_confirmation` and `keep_receipt` are dropped.
--
-- The service puts at most one confirmation of a student in a batch (so one device row, one validation and
-- one result each: an upsert cannot touch a row twice in one statement); another one of the same student
-- waits for the next batch. If a batch fails as a whole (a deadlock with another batch, a timeout), nothing
-- of it is committed and the service records each of its confirmations alone.

-- What the batch says of each confirmation: the row `record_confirmation` returns, by its place in the batch.
CREATE TYPE attendance.recorded_confirmation AS (
  ord int, state text, roster_policy text, course_name text, room text, current_round smallint, registration text,
  counted boolean, inserted boolean
);

-- The evidence module's half, for a batch: the receipts of the new validations, as `keep_receipt` keeps one.
CREATE FUNCTION evidence.keep_receipts(p_sessions uuid[], p_receipts jsonb[]) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  INSERT INTO evidence.receipts (
    session_id, round, slot, student_id, device_id, credential_id, device_public_key, phone_public_key,
    challenge_id, challenge, rp_id, origins, authenticator_data, client_data_json, signature, user_handle,
    phone_signature, confirmed_at
  )
  SELECT
    k.session_id, (r->>'round')::smallint, (r->>'slot')::bigint, r->>'studentId', (r->>'deviceId')::bigint, r->>'credentialId',
    decode(r->>'devicePublicKey', 'hex'), decode(r->>'phonePublicKey', 'hex'),
    r->>'challengeId', r->>'challenge', r->>'rpId', ARRAY(SELECT jsonb_array_elements_text(r->'origins')),
    decode(r->>'authenticatorData', 'hex'), decode(r->>'clientDataJSON', 'hex'), decode(r->>'signature', 'hex'),
    decode(r->>'userHandle', 'hex'), decode(r->>'phoneSignature', 'hex'), date_trunc('milliseconds', now())
  FROM unnest(p_sessions, p_receipts) WITH ORDINALITY AS k(session_id, r, n)
  ORDER BY k.n;
END
$$;

-- p_items: a JSON array of confirmations, each {ord, session, round, student, device, slot, address, alerts,
-- signCount, backedUp, phoneKey, receipt}, at most one per student. One row per item, by ord; a session that
-- does not exist gives a row whose state is null.
CREATE FUNCTION attendance.record_confirmations(p_items jsonb)
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

  -- record_confirmation's statement (migration 011), over the batch. It moves the device's sign counter
  -- forward (only forward, checked on the row as it is now, so two copies of a passkey signing at once cannot
  -- both pass, and only while the device is active and still bound to the phone key that signed: a
  -- revocation or re-binding since the challenge wins), registers a walk-in when the session accepts them,
  -- inserts the validation once per (session, round, student) with the device's alerts, and writes the
  -- student's result by the rule of migration 003. A statement does not see its own inserts: the student's
  -- earlier rounds are counted, plus this one.
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
    -- The upsert of results-writer.ts and migration 011: change all three together.
    ON CONFLICT (session_id, student_id) DO UPDATE SET
      computed_status = EXCLUDED.computed_status,
      status = CASE WHEN res.status IN ('excused', 'manual_present') THEN res.status ELSE EXCLUDED.status END,
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

DROP FUNCTION attendance.record_confirmation(uuid, smallint, text, bigint, bigint, inet, text[], bigint, boolean, text, jsonb);
DROP FUNCTION evidence.keep_receipt(uuid, jsonb);
