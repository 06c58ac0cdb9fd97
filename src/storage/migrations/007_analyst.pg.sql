-- PostgreSQL variant of 007: the audit log and keyset-paging indexes. The SQLite FTS5 trigram index has no
-- counterpart here; feedback search on PostgreSQL falls back to ILIKE (see docs/SCALING.md).

-- Every analyst correction, export of personal data and deletion, with who and when.
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,          -- correct_sentiment | correct_topics | dsr_export | dsr_delete ...
  target_type TEXT NOT NULL,     -- feedback | user
  target_id TEXT NOT NULL,
  before TEXT,                   -- JSON
  after TEXT                     -- JSON
);
CREATE INDEX audit_log_target ON audit_log(target_type, target_id, id);
CREATE INDEX audit_log_at ON audit_log(id DESC);

-- Keyset paging: (sort column, id) so each page is an index range scan, not OFFSET.
CREATE INDEX feedback_created_id ON feedback(created_at, id);
CREATE INDEX feedback_conf_id ON feedback(sentiment_confidence, id);
CREATE INDEX feedback_sentiment_id ON feedback(sentiment, id);
CREATE INDEX feedback_uncorrected_id ON feedback(corrected_at, id);
