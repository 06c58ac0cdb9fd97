-- Background classification queue: one job per feedback row; survives restarts.
CREATE TABLE classification_jobs (
  feedback_id INTEGER PRIMARY KEY REFERENCES feedback(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'pending',   -- pending | running | done | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  run_after TEXT NOT NULL,                  -- ISO time before which the job is not picked (retry back-off)
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX classification_jobs_status ON classification_jobs(status, run_after);
