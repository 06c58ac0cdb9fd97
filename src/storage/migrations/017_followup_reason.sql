-- Why a follow-up was opened: the signals the decision combined (rating, "was it resolved?", the comment's
-- sentiment and its confidence) as JSON, next to the short reason code.
ALTER TABLE followups ADD COLUMN reason_detail TEXT;
