-- Login sessions for agents and analysts; only a hash of the token is stored.
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  role TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions(expires_at);

-- Handoff queue: one row per request for a person.
CREATE TABLE IF NOT EXISTS handoffs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  interaction_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'queued', -- queued | assigned | resolved | cancelled
  agent_id TEXT,
  locale TEXT,
  queued_at TEXT NOT NULL,
  accepted_at TEXT,
  first_reply_at TEXT,
  resolved_at TEXT,
  transfers INTEGER NOT NULL DEFAULT 0,
  agent_seen_at TEXT
);
CREATE INDEX IF NOT EXISTS handoffs_status ON handoffs(status, priority DESC, queued_at);

CREATE TABLE IF NOT EXISTS handoff_notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  handoff_id INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
