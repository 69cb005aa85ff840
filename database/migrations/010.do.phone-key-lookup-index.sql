-- A scan's challenge looks up every device bound to the phone key that signed it, revoked ones included (to
-- say "revoked" rather than "unknown"). The partial index of 004 leaves revoked rows out, so PostgreSQL could
-- not use it for that lookup and read the whole devices table on every scan: a cost that grew with the
-- number of enrolled students. One index over every row serves both that lookup and the shared-phone check.
DROP INDEX enrollment.devices_phone_key_idx;
CREATE INDEX devices_phone_key_idx ON enrollment.devices (phone_key_id);
