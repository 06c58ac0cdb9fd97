-- Indicator alerts: one row per (rule, indicator, window, segment); acknowledged by an analyst.
CREATE TABLE indicator_alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rule_id TEXT NOT NULL,
  kind TEXT NOT NULL,                -- threshold | drop
  indicator TEXT NOT NULL,
  window_from TEXT NOT NULL DEFAULT '',
  window_to TEXT NOT NULL DEFAULT '',
  segment TEXT NOT NULL DEFAULT '{}', -- JSON of the segment filter
  value REAL,
  limit_value REAL,
  n INTEGER,
  message TEXT NOT NULL,
  interaction_ids TEXT NOT NULL,     -- JSON array (capped) of the interactions behind the alert
  model_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  acknowledged_at TEXT,
  acknowledged_by TEXT,
  UNIQUE (rule_id, indicator, window_from, window_to, segment)
);
CREATE INDEX indicator_alerts_open ON indicator_alerts(acknowledged_at, created_at);

-- Covering indexes so aggregation reads indexes only (no table lookups per answer / survey).
CREATE INDEX survey_answers_cover ON survey_answers(survey_id, item_id, value, skipped);
CREATE INDEX surveys_interaction_cover ON surveys(interaction_id, id, status, definition_id);
