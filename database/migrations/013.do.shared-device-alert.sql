-- One phone, one place, one moment (issue 24): 'shared_device' is raised on a device used from two client
-- networks within SHARING_WINDOW_SECONDS, twice at once, or confirming a student already confirmed in the
-- round from another network (node-service/src/modules/scan/domain/sharing.ts). Its details keep the
-- evidence an admin reviews: the kind, both uses (network and time), the session and round.
ALTER TABLE enrollment.device_alerts DROP CONSTRAINT device_alerts_reason_check;
ALTER TABLE enrollment.device_alerts ADD CONSTRAINT device_alerts_reason_check
  CHECK (reason IN ('shared_phone', 'synced_passkey', 'frequent_rebinds', 'shared_device'));
