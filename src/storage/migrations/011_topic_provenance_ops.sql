-- 1. Topic tags record the tagger that produced them (taxonomy keywords id/version, or the learned topic model's
--    id/version plus the taxonomy version). Human rows keep NULL. Rows written before this migration are NULL too,
--    so `npm run reclassify` treats them as stale and re-tags them.
ALTER TABLE feedback_topics ADD COLUMN model_id TEXT;
ALTER TABLE feedback_topics ADD COLUMN model_version TEXT;
-- The tagger that last looked at a feedback item, also when it found no topic (a tag row cannot record that).
ALTER TABLE feedback ADD COLUMN topic_model_id TEXT;
ALTER TABLE feedback ADD COLUMN topic_model_version TEXT;

-- 2. Daily rollup: sums of squared per-interaction time scores (variance for the CSI confidence interval) and the
--    handoff operations figures (handling time, transfers, agent-handled interactions).
ALTER TABLE indicator_rollup_ops ADD COLUMN first_reply_sq REAL;
ALTER TABLE indicator_rollup_ops ADD COLUMN queue_wait_sq REAL;
ALTER TABLE indicator_rollup_ops ADD COLUMN complaint_first_response_sq REAL;
ALTER TABLE indicator_rollup_ops ADD COLUMN complaint_closed_sq REAL;
ALTER TABLE indicator_rollup_ops ADD COLUMN transaction_sq REAL;
ALTER TABLE indicator_rollup_ops ADD COLUMN handling_n INTEGER;
ALTER TABLE indicator_rollup_ops ADD COLUMN handling_sum REAL;
ALTER TABLE indicator_rollup_ops ADD COLUMN handling_sq REAL;
ALTER TABLE indicator_rollup_ops ADD COLUMN transferred INTEGER;
ALTER TABLE indicator_rollup_ops ADD COLUMN agent_handled INTEGER;

-- The interactions update trigger now also watches handling_seconds and transfers (written by src/handoff/queue.ts).
DROP TRIGGER indicator_dirty_i_upd;
CREATE TRIGGER indicator_dirty_i_upd AFTER UPDATE OF started_at, channel, locale, handled_by, is_test, complaint, resolved,
  repeat_contact_7d, first_reply_seconds, queue_wait_seconds, complaint_first_response_hours, complaint_closed_hours, transaction_days,
  handling_seconds, transfers
  ON interactions
  WHEN OLD.started_at IS NOT NEW.started_at OR OLD.channel IS NOT NEW.channel OR OLD.locale IS NOT NEW.locale
    OR OLD.handled_by IS NOT NEW.handled_by OR OLD.is_test IS NOT NEW.is_test OR OLD.complaint IS NOT NEW.complaint
    OR OLD.resolved IS NOT NEW.resolved OR OLD.repeat_contact_7d IS NOT NEW.repeat_contact_7d
    OR OLD.first_reply_seconds IS NOT NEW.first_reply_seconds OR OLD.queue_wait_seconds IS NOT NEW.queue_wait_seconds
    OR OLD.complaint_first_response_hours IS NOT NEW.complaint_first_response_hours
    OR OLD.complaint_closed_hours IS NOT NEW.complaint_closed_hours OR OLD.transaction_days IS NOT NEW.transaction_days
    OR OLD.handling_seconds IS NOT NEW.handling_seconds OR OLD.transfers IS NOT NEW.transfers
BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(OLD.started_at, 1, 10) EXCEPT SELECT day FROM indicator_dirty_days;
  INSERT INTO indicator_dirty_days (day) SELECT substr(NEW.started_at, 1, 10) EXCEPT SELECT day FROM indicator_dirty_days;
END;

-- The new rollup columns are empty for existing rows: every day is recomputed by the next report (one-off).
INSERT INTO indicator_dirty_days (day) SELECT DISTINCT substr(started_at, 1, 10) FROM interactions EXCEPT SELECT day FROM indicator_dirty_days;
