-- evidence.keep_receipts: the evidence module's half of a confirmation, the receipts of a batch's new
-- validations (docs/architecture.md, "Functions"). Called by attendance.record_confirmations, in the
-- confirmation's transaction; the documents come from
-- node-service/src/modules/evidence/infrastructure/receipt-repository.ts (`document`), which turns the byte
-- fields into hex for the decode() calls below: change both together.
--
-- Re-created (CREATE OR REPLACE) on every start after the numbered migrations: edit it here, no migration.
CREATE OR REPLACE FUNCTION evidence.keep_receipts(p_sessions uuid[], p_receipts jsonb[]) RETURNS void
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
