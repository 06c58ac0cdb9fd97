-- Why a follow-up was opened: the signals the decision combined (rating, "was it resolved?", the comment's
-- sentiment and its confidence) as JSON, next to the short reason code.
ALTER TABLE followups ADD COLUMN reason_detail TEXT;

-- Per-topic sentiment by clause: where in the classified comment the clause a topic's sentiment was read from
-- starts and ends (offsets, not a copy of the words, so erasing the comment leaves no personal text behind).
ALTER TABLE feedback_topics ADD COLUMN clause_start INTEGER;
ALTER TABLE feedback_topics ADD COLUMN clause_end INTEGER;
