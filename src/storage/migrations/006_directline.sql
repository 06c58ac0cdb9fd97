-- Self-hosted Direct Line: conversations, their activity history (watermark = seq) and the signing secret.
CREATE TABLE directline_conversations (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  locale TEXT,
  created_at TEXT NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE directline_activities (
  conversation_id TEXT NOT NULL REFERENCES directline_conversations(id),
  seq INTEGER NOT NULL,
  activity TEXT NOT NULL, -- JSON, without id (id = conversation_id|seq)
  created_at TEXT NOT NULL,
  PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;

-- Generated secret when DIRECTLINE_SECRET is unset, so tokens survive a restart.
CREATE TABLE directline_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
