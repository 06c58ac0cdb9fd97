-- One survey per interaction (offered, then started, then complete or incomplete).
CREATE TABLE surveys (
  id TEXT PRIMARY KEY,
  interaction_id TEXT NOT NULL UNIQUE REFERENCES interactions(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  definition_id TEXT NOT NULL,
  definition_version INTEGER NOT NULL,
  trigger TEXT NOT NULL,            -- goodbye | resolved_confirmed | agent_resolved | idle_timeout | import
  channel TEXT NOT NULL,
  locale TEXT,
  agent_id TEXT,
  status TEXT NOT NULL,             -- offered | started | complete | incomplete | declined
  offered_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT
);
CREATE INDEX surveys_user ON surveys(user_id, offered_at);
CREATE INDEX surveys_offered ON surveys(offered_at);

-- One row per answered item. Standard item ids: csat, resolved, nps, ces,
-- rating_response_speed, rating_attitude, rating_professionalism, rating_resolution,
-- rating_price_transparency, rating_complaint_handling, open.
CREATE TABLE survey_answers (
  survey_id TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  item_id TEXT NOT NULL,
  kind TEXT NOT NULL,               -- csat | nps | ces | resolved | rating | open | kano
  value REAL,                       -- parsed numeric value (resolved: yes=1, partly=0.5, no=0)
  value_text TEXT,                  -- parsed enum value (yes/partly/no) or redacted open text
  raw_text TEXT,                    -- what the customer sent, redacted
  input_mode TEXT NOT NULL,         -- button | card | typed | import
  skipped INTEGER NOT NULL DEFAULT 0,
  answered_at TEXT NOT NULL,
  PRIMARY KEY (survey_id, item_id)
);
CREATE INDEX survey_answers_item ON survey_answers(item_id, value);

-- Open-text feedback (survey open answers, imported comments); text is redacted before insert.
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  survey_id TEXT REFERENCES surveys(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  language TEXT,
  created_at TEXT NOT NULL,
  -- current model tags (written by the classification queue)
  sentiment TEXT,                   -- negative | neutral | positive | NULL (not yet classified / empty)
  sentiment_confidence REAL,
  model_id TEXT,
  model_version TEXT,
  classified_at TEXT,
  -- analyst's label, next to the model's (never overwrites it)
  human_sentiment TEXT,
  corrected_by TEXT,
  corrected_at TEXT
);
CREATE INDEX feedback_interaction ON feedback(interaction_id);
CREATE INDEX feedback_created ON feedback(created_at);

-- Topic tags per feedback, model and human separately.
CREATE TABLE feedback_topics (
  feedback_id INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
  source TEXT NOT NULL,             -- model | human
  topic TEXT NOT NULL,
  sentiment TEXT,                   -- negative | neutral | positive
  confidence REAL,
  PRIMARY KEY (feedback_id, source, topic)
);
CREATE INDEX feedback_topics_topic ON feedback_topics(topic, source);

-- Service-recovery follow-ups (closed loop): owner and 24 h initial-response clock.
CREATE TABLE followups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  survey_id TEXT,
  reason TEXT NOT NULL,             -- low_csat | not_resolved | negative_feedback | complaint | left_message
  owner TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',  -- open | in_progress | closed
  note TEXT,
  created_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  first_response_at TEXT,
  closed_at TEXT
);
CREATE INDEX followups_status ON followups(status, due_at);
