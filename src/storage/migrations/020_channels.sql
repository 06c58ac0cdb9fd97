-- Messaging-app channels (src/channels): webhook events taken (dedup of redeliveries, and the
-- durable hand-over from the fast acknowledgement to background processing), the customer-service
-- window per conversation, and the short ids that native buttons carry back.
CREATE TABLE IF NOT EXISTS channel_events (
  channel TEXT NOT NULL,
  event_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  -- the normalised event until it is processed, then NULL (it may hold unredacted text)
  payload TEXT,
  processed_at TEXT,
  PRIMARY KEY (channel, event_id)
);
CREATE INDEX IF NOT EXISTS channel_events_pending ON channel_events(channel, received_at) WHERE processed_at IS NULL;

CREATE TABLE IF NOT EXISTS channel_windows (
  channel TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  last_inbound_at TEXT NOT NULL,
  sent_since_inbound INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (channel, conversation_id)
);

CREATE TABLE IF NOT EXISTS channel_choices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  title TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- The key in the loopback connector's path (replies and proactive messages of stored conversation
-- references must still reach it after a restart).
CREATE TABLE IF NOT EXISTS channel_keys (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
