-- The durable job queue (issue 9): background work enqueued in the transaction of the change
-- that causes it, run by JobRunner workers under a lease. A job whose worker died is taken again
-- when its lease runs out. Timestamps as everywhere: RFC 3339 UTC text with milliseconds.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE, -- stable across retries: its effect reuses it (Message-ID, topic)
    kind TEXT NOT NULL,
    job_key TEXT, -- at most one queued or running job per key (see jobs_pending_key)
    task_id INTEGER, -- the task a job is about, if any: its jobs go when it changes
    payload TEXT NOT NULL DEFAULT '{}', -- a JSON object
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);

-- What a worker looks for: queued jobs by time, running ones whose lease ran out.
CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'queued';

CREATE INDEX jobs_leased ON jobs (lease_until) WHERE status = 'running';

CREATE UNIQUE INDEX jobs_pending_key ON jobs (job_key) WHERE status IN ('queued', 'running');

-- For cleanup and operators: finished jobs by when they finished, any job by kind.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('done', 'dead');

CREATE INDEX jobs_kind ON jobs (kind, id);

CREATE INDEX jobs_task ON jobs (task_id, kind) WHERE status = 'queued';
