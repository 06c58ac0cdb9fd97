-- Daily indicator rollup (see docs/INDICATORS.md "Speed"). Whole-day reports read these tables instead of
-- scanning interactions/surveys/answers. Exactness: triggers only mark the touched day dirty (cheap on the chat
-- write path); the report recomputes dirty days from the base tables with the same SQL before reading.
-- Key columns use '' for NULL (locale, no survey => definition_id '', no sentiment => sentiment '').
CREATE TABLE indicator_dirty_days (day TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
CREATE TABLE indicator_rollup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE indicator_rollup_ops (
  day TEXT NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, handled_by TEXT NOT NULL, definition_id TEXT NOT NULL,
  interactions INTEGER NOT NULL, complaints INTEGER NOT NULL,
  first_reply_n INTEGER, first_reply_met INTEGER, first_reply_score REAL,
  queue_wait_n INTEGER, queue_wait_met INTEGER, queue_wait_score REAL,
  complaint_first_response_n INTEGER, complaint_first_response_met INTEGER, complaint_first_response_score REAL,
  complaint_closed_n INTEGER, complaint_closed_met INTEGER, complaint_closed_score REAL,
  transaction_n INTEGER, transaction_met INTEGER, transaction_score REAL,
  fcr_n INTEGER, fcr_yes INTEGER, rep_n INTEGER, rep_yes INTEGER, offered INTEGER, responded INTEGER,
  feedback INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel, locale, handled_by, definition_id)
) WITHOUT ROWID;

CREATE TABLE indicator_rollup_answers (
  day TEXT NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, handled_by TEXT NOT NULL, definition_id TEXT NOT NULL,
  item_id TEXT NOT NULL, value REAL NOT NULL, c INTEGER NOT NULL,
  PRIMARY KEY (day, channel, locale, handled_by, definition_id, item_id, value)
) WITHOUT ROWID;

CREATE TABLE indicator_rollup_topics (
  day TEXT NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, handled_by TEXT NOT NULL, definition_id TEXT NOT NULL,
  topic TEXT NOT NULL, sentiment TEXT NOT NULL, c INTEGER NOT NULL,
  PRIMARY KEY (day, channel, locale, handled_by, definition_id, topic, sentiment)
) WITHOUT ROWID;

-- Existing data: every day starts dirty, so the first report builds the rollup.
INSERT OR IGNORE INTO indicator_dirty_days (day) SELECT DISTINCT substr(started_at, 1, 10) FROM interactions;

-- interactions: only the columns the report reads (not last_activity_at / customer_turns, which change every turn).
CREATE TRIGGER indicator_dirty_i_ins AFTER INSERT ON interactions BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day) VALUES (substr(NEW.started_at, 1, 10));
END;
CREATE TRIGGER indicator_dirty_i_del AFTER DELETE ON interactions BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day) VALUES (substr(OLD.started_at, 1, 10));
END;
CREATE TRIGGER indicator_dirty_i_upd AFTER UPDATE OF started_at, channel, locale, handled_by, is_test, complaint, resolved,
  repeat_contact_7d, first_reply_seconds, queue_wait_seconds, complaint_first_response_hours, complaint_closed_hours, transaction_days
  ON interactions
  WHEN OLD.started_at IS NOT NEW.started_at OR OLD.channel IS NOT NEW.channel OR OLD.locale IS NOT NEW.locale
    OR OLD.handled_by IS NOT NEW.handled_by OR OLD.is_test IS NOT NEW.is_test OR OLD.complaint IS NOT NEW.complaint
    OR OLD.resolved IS NOT NEW.resolved OR OLD.repeat_contact_7d IS NOT NEW.repeat_contact_7d
    OR OLD.first_reply_seconds IS NOT NEW.first_reply_seconds OR OLD.queue_wait_seconds IS NOT NEW.queue_wait_seconds
    OR OLD.complaint_first_response_hours IS NOT NEW.complaint_first_response_hours
    OR OLD.complaint_closed_hours IS NOT NEW.complaint_closed_hours OR OLD.transaction_days IS NOT NEW.transaction_days
BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day) VALUES (substr(OLD.started_at, 1, 10));
  INSERT OR IGNORE INTO indicator_dirty_days (day) VALUES (substr(NEW.started_at, 1, 10));
END;

-- surveys: status (response rate) and definition (segment key).
CREATE TRIGGER indicator_dirty_s_ins AFTER INSERT ON surveys BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id = NEW.interaction_id;
END;
CREATE TRIGGER indicator_dirty_s_del AFTER DELETE ON surveys BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id = OLD.interaction_id;
END;
CREATE TRIGGER indicator_dirty_s_upd AFTER UPDATE OF status, definition_id, interaction_id ON surveys
  WHEN OLD.status IS NOT NEW.status OR OLD.definition_id IS NOT NEW.definition_id OR OLD.interaction_id IS NOT NEW.interaction_id
BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id IN (OLD.interaction_id, NEW.interaction_id);
END;

-- survey_answers: two primary-key lookups (survey -> interaction) per write.
CREATE TRIGGER indicator_dirty_a_ins AFTER INSERT ON survey_answers BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE s.id = NEW.survey_id;
END;
CREATE TRIGGER indicator_dirty_a_del AFTER DELETE ON survey_answers BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE s.id = OLD.survey_id;
END;
CREATE TRIGGER indicator_dirty_a_upd AFTER UPDATE OF survey_id, item_id, value, skipped ON survey_answers
  WHEN OLD.survey_id IS NOT NEW.survey_id OR OLD.item_id IS NOT NEW.item_id OR OLD.value IS NOT NEW.value OR OLD.skipped IS NOT NEW.skipped
BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE s.id IN (OLD.survey_id, NEW.survey_id);
END;

-- feedback and topics: counts, and sentiment (human label wins, so corrections must re-count the day).
CREATE TRIGGER indicator_dirty_f_ins AFTER INSERT ON feedback BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id = NEW.interaction_id;
END;
CREATE TRIGGER indicator_dirty_f_del AFTER DELETE ON feedback BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id = OLD.interaction_id;
END;
CREATE TRIGGER indicator_dirty_f_upd AFTER UPDATE OF interaction_id, sentiment, human_sentiment ON feedback
  WHEN OLD.interaction_id IS NOT NEW.interaction_id OR OLD.sentiment IS NOT NEW.sentiment OR OLD.human_sentiment IS NOT NEW.human_sentiment
BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id IN (OLD.interaction_id, NEW.interaction_id);
END;
CREATE TRIGGER indicator_dirty_t_ins AFTER INSERT ON feedback_topics BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE f.id = NEW.feedback_id;
END;
CREATE TRIGGER indicator_dirty_t_del AFTER DELETE ON feedback_topics BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE f.id = OLD.feedback_id;
END;
CREATE TRIGGER indicator_dirty_t_upd AFTER UPDATE ON feedback_topics BEGIN
  INSERT OR IGNORE INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE f.id IN (OLD.feedback_id, NEW.feedback_id);
END;

-- Alert drill-down filters by agent on base tables.
CREATE INDEX IF NOT EXISTS interactions_agent_started ON interactions(agent_id, started_at);
