-- Bot Framework state (conversation/user/dialog state), one row per storage key.
CREATE TABLE bot_state (
  key TEXT PRIMARY KEY,
  etag TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- One row per customer contact.
CREATE TABLE interactions (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  locale TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  last_activity_at TEXT NOT NULL,
  handled_by TEXT NOT NULL DEFAULT 'bot',      -- bot | agent
  agent_id TEXT,
  outcome TEXT,                                 -- answered | unanswered | handed_off | abandoned ...
  resolved TEXT,                                -- yes | partly | no (customer's own confirmation)
  customer_turns INTEGER NOT NULL DEFAULT 0,
  low_confidence_count INTEGER NOT NULL DEFAULT 0,
  handoff_offered INTEGER NOT NULL DEFAULT 0,
  handoff_reason TEXT,
  complaint INTEGER NOT NULL DEFAULT 0,
  is_test INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL DEFAULT 'live',          -- live | import
  -- operations measures (filled by handoff / import); NULL when not applicable
  first_reply_seconds REAL,                     -- time to first human/agent reply to an enquiry
  queue_wait_seconds REAL,
  handling_seconds REAL,
  transfers INTEGER NOT NULL DEFAULT 0,
  complaint_first_response_hours REAL,
  complaint_closed_hours REAL,
  transaction_days REAL,                        -- business transaction completion, working days
  repeat_contact_7d INTEGER                     -- 1 when the same user came back within 7 days
);
CREATE INDEX interactions_conversation ON interactions(conversation_id, started_at);
CREATE INDEX interactions_user ON interactions(user_id);
CREATE INDEX interactions_started ON interactions(started_at);

-- Transcript of each interaction; text is redacted before it is written.
CREATE TABLE transcript (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  activity_id TEXT,
  at TEXT NOT NULL,
  role TEXT NOT NULL,          -- customer | bot | agent | system
  sender TEXT,
  text TEXT,
  meta TEXT                    -- JSON: kb match, confidence, card value ...
);
CREATE INDEX transcript_interaction ON transcript(interaction_id, id);

-- Events on an interaction (triggers, eligibility decisions, handoff offers) with reasons.
CREATE TABLE interaction_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX interaction_events_interaction ON interaction_events(interaction_id, id);

-- Latest ConversationReference per conversation, for proactive messages.
CREATE TABLE conversation_refs (
  conversation_id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  user_id TEXT NOT NULL,
  reference TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Processed inbound activity ids, so a redelivered activity is not handled twice.
CREATE TABLE processed_activities (
  conversation_id TEXT NOT NULL,
  activity_id TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (conversation_id, activity_id)
);
