-- The real-time feed (issue 10): every task change and in-app notification, in the order they
-- committed, kept for a retention window (cleanup prunes older rows). A client resumes from the
-- last id it saw. AUTOINCREMENT: an id is never handed out twice, even once every event was pruned.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL, -- task.created, task.updated, ..., notification.created
    task_id INTEGER NOT NULL DEFAULT 0, -- 0: about no task; no foreign key: it outlives a purge
    data TEXT NOT NULL, -- the event's JSON object, as sent
    audience TEXT NOT NULL, -- the recipients' user ids, comma-separated: read by the fan-out
    created_at TEXT NOT NULL
);

-- A resume finds a user's task events through the tasks the user sees now (audience tells
-- whether they saw each one then).
CREATE INDEX events_task ON events (task_id, id);

-- Events addressed to a user by name: notifications, the end of their share, a purge (the task
-- is gone), sessions ended. One row each, so that a task with many readers costs one index
-- entry a change, not one per reader. No foreign key on user_id (a check per row): rows of a
-- deleted account go with retention.
CREATE TABLE event_recipients (
    user_id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, event_id)
) WITHOUT ROWID;

-- The highest id pruned so far: a cursor below it may have missed events (the client must reload).
CREATE TABLE event_horizon (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    pruned_through INTEGER NOT NULL
);

INSERT INTO event_horizon (one, pruned_through) VALUES (1, 0);

-- Single-use tickets for real-time connections from browsers, which cannot set an Authorization
-- header on a WebSocket or an EventSource: POST /realtime/ticket makes one (kept hashed, valid
-- 60 s), the connection redeems it (deleted), and it stands for the access token that asked.
CREATE TABLE realtime_tickets (
    token_hash TEXT PRIMARY KEY, -- SHA-256 of the ticket, hex
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    jti TEXT NOT NULL, -- the access token's
    token_issued_at TEXT NOT NULL,
    token_expires_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX realtime_tickets_expiry ON realtime_tickets (expires_at);
