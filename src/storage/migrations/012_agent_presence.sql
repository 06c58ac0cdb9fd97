-- Agent presence for the queue estimate: the last time each agent's console called the API or
-- sent an event-stream heartbeat. "Online" = seen within HANDOFF_AGENT_TIMEOUT_SECONDS.
CREATE TABLE IF NOT EXISTS agent_presence (
  agent_id TEXT PRIMARY KEY,
  seen_at TEXT NOT NULL
);
-- Handoffs held by an external (channel-side) agent hub have status 'external'; the built-in
-- queue skips them. Open handoffs of a conversation are looked up by interaction and status.
CREATE INDEX IF NOT EXISTS handoffs_interaction ON handoffs(interaction_id, status);
