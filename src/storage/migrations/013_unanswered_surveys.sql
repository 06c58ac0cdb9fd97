-- Surveys that were offered and then abandoned or expired without a single answer were marked
-- 'incomplete', which the indicators count as a response (inflating the response rate).
-- They are 'unanswered' now; the dirty-day triggers recompute the affected days.
UPDATE surveys SET status = 'unanswered' WHERE status = 'incomplete' AND started_at IS NULL;
