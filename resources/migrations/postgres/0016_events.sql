-- The real-time feed (issue 10): every task change and in-app notification, in the order they
-- committed, kept for a retention window (cleanup prunes older rows). A client resumes from the
-- last id it saw. Writers take the shared advisory lock EventRepository names before drawing an
-- id, so that a reader can wait for every id drawn so far to commit or roll back.
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type TEXT NOT NULL, -- task.created, task.updated, ..., notification.created
    task_id BIGINT NOT NULL DEFAULT 0, -- 0: about no task; no foreign key: it outlives a purge
    data TEXT NOT NULL, -- the event's JSON object, as sent
    audience TEXT NOT NULL, -- the recipients' user ids, comma-separated: read by the fan-out
    created_at TIMESTAMPTZ NOT NULL
);

-- A resume finds a user's task events through the tasks the user sees now (audience tells
-- whether they saw each one then).
CREATE INDEX events_task ON events (task_id, id);

-- Events addressed to a user by name: notifications, the end of their share, a purge (the task
-- is gone), sessions ended. One row each, so that a task with many readers costs one index
-- entry a change, not one per reader. No foreign key on user_id (a check per row): rows of a
-- deleted account go with retention.
CREATE TABLE event_recipients (
    user_id BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, event_id)
);

-- The highest id pruned so far: a cursor below it may have missed events (the client must reload).
CREATE TABLE event_horizon (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    pruned_through BIGINT NOT NULL
);

INSERT INTO event_horizon (one, pruned_through) VALUES (1, 0);

-- Single-use tickets for real-time connections from browsers, which cannot set an Authorization
-- header on a WebSocket or an EventSource: POST /realtime/ticket makes one (kept hashed, valid
-- 60 s), the connection redeems it (deleted), and it stands for the access token that asked.
CREATE TABLE realtime_tickets (
    token_hash TEXT PRIMARY KEY, -- SHA-256 of the ticket, hex
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    jti TEXT NOT NULL, -- the access token's
    token_issued_at TIMESTAMPTZ NOT NULL,
    token_expires_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX realtime_tickets_expiry ON realtime_tickets (expires_at);
