-- Notifications delivered (issue 9): one row per (event, task, occurrence, reminder, user,
-- channel), so that nothing is delivered twice, whichever process or retry tries. A job that
-- sends one (an email) finds its row here and records the outcome on it.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL, -- reminder, due_soon, overdue, ...
    task_id INTEGER NOT NULL DEFAULT 0, -- 0: about no task; no foreign key: the log outlives it
    occurrence TEXT NOT NULL DEFAULT '', -- the task's due_at or due_date it was about
    reminder TEXT NOT NULL DEFAULT '', -- which reminder ("at:<instant>", "before:<minutes>")
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'in_app', 'push', 'sms')),
    recipient TEXT, -- where it went: an address, a number
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    late INTEGER NOT NULL DEFAULT 0, -- delivered after its time (after downtime)
    due_at TEXT NOT NULL, -- when it was meant to go out
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (event, task_id, occurrence, reminder, user_id, channel)
);

CREATE INDEX deliveries_user ON deliveries (user_id, id);

CREATE INDEX deliveries_created ON deliveries (created_at);
