-- Analyst workspace: audit log, full-text search over feedback, indexes for keyset paging.

-- Every analyst correction, export of personal data and deletion, with who and when.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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

-- Trigram tokenizer matches Chinese (no word spaces) and English substrings alike (3+ chars).
CREATE VIRTUAL TABLE feedback_fts USING fts5(text, content='feedback', content_rowid='id', tokenize='trigram');
INSERT INTO feedback_fts(rowid, text) SELECT id, text FROM feedback;
CREATE TRIGGER feedback_fts_ai AFTER INSERT ON feedback BEGIN
  INSERT INTO feedback_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER feedback_fts_ad AFTER DELETE ON feedback BEGIN
  INSERT INTO feedback_fts(feedback_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER feedback_fts_au AFTER UPDATE OF text ON feedback BEGIN
  INSERT INTO feedback_fts(feedback_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO feedback_fts(rowid, text) VALUES (new.id, new.text);
END;

-- Keyset paging: (sort column, id) so each page is an index range scan, not OFFSET.
CREATE INDEX feedback_created_id ON feedback(created_at, id);
CREATE INDEX feedback_conf_id ON feedback(sentiment_confidence, id);
CREATE INDEX feedback_sentiment_id ON feedback(sentiment, id);
CREATE INDEX feedback_uncorrected_id ON feedback(corrected_at, id);
