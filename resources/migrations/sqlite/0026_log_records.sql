-- The server's own log records (issue 11, point 10): what its JSON log writes, kept for
-- GET /admin/logs. Messages at the log's level, and the request lines the log_store_requests
-- setting keeps (by default failed and slow ones). source tells the process apart when several
-- share the database. user_id is no foreign key: a record outlives the account it names, as the
-- log file does. details is JSON (a request line's method, path, status and duration). Bounded
-- by age and count: the cleanup job deletes the oldest.
CREATE TABLE log_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warning', 'error', 'fatal')),
    category TEXT NOT NULL,
    message TEXT NOT NULL,
    request_id TEXT,
    user_id INTEGER,
    source TEXT NOT NULL,
    details TEXT NOT NULL
);

CREATE INDEX log_records_at ON log_records (at, id);

CREATE INDEX log_records_level ON log_records (level, at, id);

CREATE INDEX log_records_request ON log_records (request_id);

CREATE INDEX log_records_user ON log_records (user_id, at, id);
