-- Predicted satisfaction (S) and task accomplishment (A) of each ended interaction, from its transcript
-- (src/nlp/quality). Written only by src/nlp/quality/repo.ts.
CREATE TABLE interaction_quality (
  interaction_id TEXT PRIMARY KEY REFERENCES interactions(id) ON DELETE CASCADE,
  model_id TEXT NOT NULL,
  model_version TEXT NOT NULL,
  s_dist TEXT NOT NULL,          -- JSON {"-2": p, ..., "2": p}
  a_dist TEXT NOT NULL,
  s_mean REAL NOT NULL,          -- expected score on -2..2
  a_mean REAL NOT NULL,
  reasons TEXT NOT NULL,         -- JSON [{transcriptIds: [...], turn, role, weight}], strongest first
  turns INTEGER NOT NULL,        -- dialogue turns the model read (0: no customer text)
  predicted_at TEXT NOT NULL
);
CREATE INDEX interaction_quality_mean ON interaction_quality(s_mean);

-- Jobs of the background queue (src/nlp/classify/queue.ts runs them after feedback jobs).
CREATE TABLE quality_jobs (
  interaction_id TEXT PRIMARY KEY REFERENCES interactions(id) ON DELETE CASCADE,
  status TEXT NOT NULL,          -- pending | running | done | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  run_after TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX quality_jobs_due ON quality_jobs(status, run_after);
CREATE INDEX interactions_ended ON interactions(ended_at);
