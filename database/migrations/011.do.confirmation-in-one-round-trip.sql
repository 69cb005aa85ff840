-- A confirmation in one round trip and one commit (docs/benchmarks.md, "Scan efficiency").
--
-- Until now a confirmation took four round trips to PostgreSQL: BEGIN with the session's shared advisory
-- lock, the confirmation statement, the receipt's INSERT, COMMIT. Each round trip is a socket write and a
-- wake-up on both sides, which on a small machine cost more than the statements themselves. The same work
-- is now one call, `SELECT * FROM attendance.record_confirmation(...)`, run as its own transaction.
--
-- Why a function and not one statement: the lock must be held before the session is read. A single
-- statement takes its snapshot when it starts, so one that waited for a round change inside a CTE would
-- still see the round that just ended. In a VOLATILE PL/pgSQL function under READ COMMITTED each query takes
-- a fresh snapshot, so the statement after the lock sees whatever the round change committed.

-- The evidence module's half: one receipt, unchained (the sealer chains it), from the JSON document the
-- receipt keeper builds (evidence/application/keep.ts). Byte fields come as hex.
CREATE FUNCTION evidence.keep_receipt(p_session uuid, r jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  -- PL/pgSQL keeps this INSERT's plan per connection; a SQL function would plan it on every call.
  INSERT INTO evidence.receipts (
    session_id, round, slot, student_id, device_id, credential_id, device_public_key, phone_public_key,
    challenge_id, challenge, rp_id, origins, authenticator_data, client_data_json, signature, user_handle,
    phone_signature, confirmed_at
  ) VALUES (
    p_session, (r->>'round')::smallint, (r->>'slot')::bigint, r->>'studentId', (r->>'deviceId')::bigint, r->>'credentialId',
    decode(r->>'devicePublicKey', 'hex'), decode(r->>'phonePublicKey', 'hex'),
    r->>'challengeId', r->>'challenge', r->>'rpId', ARRAY(SELECT jsonb_array_elements_text(r->'origins')),
    decode(r->>'authenticatorData', 'hex'), decode(r->>'clientDataJSON', 'hex'), decode(r->>'signature', 'hex'),
    decode(r->>'userHandle', 'hex'), decode(r->>'phoneSignature', 'hex'), date_trunc('milliseconds', now())
  );
END
$$;

-- The confirmation (attendance/infrastructure/confirmation-repository.ts says what each part guarantees).
-- A round change or close takes the session's advisory lock alone (session-repository.ts), so it waits for
-- confirmations in flight and they wait for it. The statement moves the device's sign counter forward (only
-- forward, checked on the row as it is now, so two copies of a passkey signing at once cannot both pass, and
-- only while the device is active and still bound to the phone key that signed: the scan read the device
-- when it gave the challenge, and a revocation or a re-binding since then must win),
-- registers a walk-in when the session accepts them, inserts the validation once per (session, round,
-- student) with the device's alerts, writes the student's result by the rule of migration 003 (the upsert
-- is the one of results-writer.ts: change both together), and keeps the receipt when the validation is new.
-- No row when the session does not exist.
CREATE FUNCTION attendance.record_confirmation(
  p_session uuid, p_round smallint, p_student text, p_device bigint, p_slot bigint, p_address inet, p_alerts text[],
  p_sign_count bigint, p_backed_up boolean, p_phone_key text, p_receipt jsonb
) RETURNS TABLE (
  state text, roster_policy text, course_name text, room text, current_round smallint, registration text,
  counted boolean, inserted boolean
)
LANGUAGE plpgsql VOLATILE
-- Its statements look rows up by key, so one generic plan serves every call; the default would plan them
-- afresh on each call (custom plans), which cost more than running them.
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  outcome record;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtextextended('attendance.session:' || lower(p_session::text), 0));

  WITH session AS (
    SELECT s.state, s.roster_policy, s.course_name, s.room, s.current_round,
           (s.planned_start + make_interval(mins => s.late_after_minutes)) AS late_from,
           (SELECT g.source FROM attendance.registrations g WHERE g.session_id = s.id AND g.student_id = p_student) AS registration
    FROM attendance.sessions s WHERE s.id = p_session
  ),
  counted AS (
    UPDATE enrollment.devices d SET sign_count = p_sign_count, last_used_at = now(), backed_up = COALESCE(p_backed_up, d.backed_up)
    WHERE d.id = p_device AND d.state = 'active' AND d.phone_key_id = p_phone_key
      AND (p_sign_count > d.sign_count OR (p_sign_count = 0 AND d.sign_count = 0))
    RETURNING d.id
  ),
  admitted AS (
    SELECT * FROM session s
    WHERE s.state = 'open' AND s.current_round = p_round AND (s.registration IS NOT NULL OR s.roster_policy = 'flag')
      AND EXISTS (SELECT 1 FROM counted)
  ),
  walk_in AS (
    INSERT INTO attendance.registrations (session_id, student_id, student_name, source, flagged)
    SELECT p_session, p_student, p_student, 'walk_in', true FROM admitted a WHERE a.registration IS NULL
    ON CONFLICT (session_id, student_id) DO NOTHING
  ),
  new_validation AS (
    INSERT INTO attendance.validations (session_id, round, student_id, device_id, slot, client_address, alerts)
    SELECT p_session, p_round, p_student, p_device, p_slot, p_address, p_alerts FROM admitted
    ON CONFLICT (session_id, round, student_id) DO NOTHING
    RETURNING validated_at
  ),
  -- The statement does not see its own insert: the student's earlier rounds, plus this one.
  participation AS (
    SELECT count(v.id)::int + 1 AS rounds_confirmed, least(min(v.validated_at), i.validated_at) AS first_confirmed_at
    FROM new_validation i LEFT JOIN attendance.validations v ON v.session_id = p_session AND v.student_id = p_student
    GROUP BY i.validated_at
  ),
  result AS (
    INSERT INTO attendance.results AS res (session_id, student_id, status, computed_status, rounds_confirmed, first_confirmed_at, is_final, updated_at)
    SELECT p_session, p_student, c.status, c.status, p.rounds_confirmed, p.first_confirmed_at, false, now()
    FROM participation p, admitted a,
         LATERAL (SELECT attendance.computed_status(a.current_round, p.rounds_confirmed, p.first_confirmed_at, a.late_from) AS status) c
    ON CONFLICT (session_id, student_id) DO UPDATE SET
      computed_status = EXCLUDED.computed_status,
      status = CASE WHEN res.status IN ('excused', 'manual_present') THEN res.status ELSE EXCLUDED.status END,
      rounds_confirmed = EXCLUDED.rounds_confirmed,
      first_confirmed_at = EXCLUDED.first_confirmed_at,
      is_final = EXCLUDED.is_final,
      updated_at = now()
  )
  SELECT s.state, s.roster_policy, s.course_name, s.room, s.current_round, s.registration,
         EXISTS (SELECT 1 FROM counted) AS counted, EXISTS (SELECT 1 FROM new_validation) AS inserted
  INTO outcome
  FROM session s;

  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF outcome.inserted AND p_receipt IS NOT NULL THEN
    PERFORM evidence.keep_receipt(p_session, p_receipt);
  END IF;
  RETURN QUERY SELECT outcome.state, outcome.roster_policy, outcome.course_name, outcome.room, outcome.current_round,
    outcome.registration, outcome.counted, outcome.inserted;
END
$$;

-- Every confirmation inserts a receipt, and each index of evidence.receipts is one more write for it.
-- receipts_session_idx (session_id, seq) repeated the index of the receipts_seq_unique constraint, which
-- serves the same lookups (a session's chain in seq order).
DROP INDEX evidence.receipts_session_idx;
