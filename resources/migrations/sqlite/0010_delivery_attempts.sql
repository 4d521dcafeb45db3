-- The delivery log (issue 9, point 8): every attempt on every channel, with its job, where it
-- went, how it ended and why. Kept as long as finished jobs (job_retention_days).
CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    job_id INTEGER NOT NULL, -- no foreign key: the log outlives the job
    channel TEXT NOT NULL,
    recipient TEXT, -- an address or number; none in the app
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'temporary_failure', 'permanent_failure')),
    error TEXT,
    at TEXT NOT NULL
);

CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);

CREATE INDEX delivery_attempts_at ON delivery_attempts (at);
