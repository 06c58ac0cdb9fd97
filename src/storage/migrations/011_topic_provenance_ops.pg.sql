-- PostgreSQL variant of 011: same columns; the interactions update trigger also watches handling_seconds and transfers.
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
ALTER TABLE indicator_rollup_ops ADD COLUMN first_reply_sq DOUBLE PRECISION;
ALTER TABLE indicator_rollup_ops ADD COLUMN queue_wait_sq DOUBLE PRECISION;
ALTER TABLE indicator_rollup_ops ADD COLUMN complaint_first_response_sq DOUBLE PRECISION;
ALTER TABLE indicator_rollup_ops ADD COLUMN complaint_closed_sq DOUBLE PRECISION;
ALTER TABLE indicator_rollup_ops ADD COLUMN transaction_sq DOUBLE PRECISION;
ALTER TABLE indicator_rollup_ops ADD COLUMN handling_n BIGINT;
ALTER TABLE indicator_rollup_ops ADD COLUMN handling_sum DOUBLE PRECISION;
ALTER TABLE indicator_rollup_ops ADD COLUMN handling_sq DOUBLE PRECISION;
ALTER TABLE indicator_rollup_ops ADD COLUMN transferred BIGINT;
ALTER TABLE indicator_rollup_ops ADD COLUMN agent_handled BIGINT;

DROP TRIGGER indicator_dirty_i_upd ON interactions;
CREATE TRIGGER indicator_dirty_i_upd AFTER UPDATE ON interactions FOR EACH ROW
  WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.locale IS DISTINCT FROM NEW.locale
    OR OLD.handled_by IS DISTINCT FROM NEW.handled_by OR OLD.is_test IS DISTINCT FROM NEW.is_test OR OLD.complaint IS DISTINCT FROM NEW.complaint
    OR OLD.resolved IS DISTINCT FROM NEW.resolved OR OLD.repeat_contact_7d IS DISTINCT FROM NEW.repeat_contact_7d
    OR OLD.first_reply_seconds IS DISTINCT FROM NEW.first_reply_seconds OR OLD.queue_wait_seconds IS DISTINCT FROM NEW.queue_wait_seconds
    OR OLD.complaint_first_response_hours IS DISTINCT FROM NEW.complaint_first_response_hours
    OR OLD.complaint_closed_hours IS DISTINCT FROM NEW.complaint_closed_hours OR OLD.transaction_days IS DISTINCT FROM NEW.transaction_days
    OR OLD.handling_seconds IS DISTINCT FROM NEW.handling_seconds OR OLD.transfers IS DISTINCT FROM NEW.transfers)
  EXECUTE FUNCTION indicator_dirty_interactions();

INSERT INTO indicator_dirty_days (day) SELECT DISTINCT substr(started_at, 1, 10) FROM interactions ON CONFLICT DO NOTHING;
