-- Warnings by e-mail (node-service/src/modules/notifications): what was sent, so that nothing is sent twice,
-- and which periodic runs finished, so that each runs at most once per its period across instances.

CREATE SCHEMA IF NOT EXISTS notifications;

-- One row per message delivered to the SMTP server. A student's at-risk warning: kind 'student_at_risk',
-- period the half-year (e.g. '2026-H2'); a teacher's digest: kind 'teacher_digest', period the week's
-- Monday in TIME_ZONE. Written right after the SMTP server accepted the message; a failed send writes
-- nothing and is tried again at the next run.
CREATE TABLE notifications.sent_mail (
  kind          text        NOT NULL CHECK (kind IN ('student_at_risk', 'teacher_digest')),
  recipient_id  text        NOT NULL,
  course_id     text        NOT NULL,
  period        text        NOT NULL,
  sent_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, recipient_id, course_id, period)
);

-- A job's last complete run per period ('teacher_digest' and its week, 'student_warnings' and its check).
CREATE TABLE notifications.job_runs (
  job          text        NOT NULL,
  period       text        NOT NULL,
  finished_at  timestamptz NOT NULL,
  counts       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (job, period)
);
