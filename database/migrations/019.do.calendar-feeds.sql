-- Calendar feeds (docs/api.md, "Calendar feeds"): a calendar app cannot send the portal token, so each user
-- gets one secret feed token, kept only as its SHA-256 hash; regenerating replaces it, revoking deletes it.
CREATE TABLE attendance.calendar_feeds (
  user_id     text        PRIMARY KEY CHECK (user_id <> ''),
  role        text        NOT NULL CHECK (role IN ('student', 'teacher', 'admin')),
  token_hash  bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A session's place in calendars: SEQUENCE and LAST-MODIFIED of its event (RFC 5545 §3.8.7.4, §3.8.7.3),
-- bumped when its room or planned times change, so a calendar app replaces the copy it holds.
ALTER TABLE attendance.sessions
  ADD COLUMN calendar_sequence integer     NOT NULL DEFAULT 0 CHECK (calendar_sequence >= 0),
  ADD COLUMN calendar_changed  timestamptz;
