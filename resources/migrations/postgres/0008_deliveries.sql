-- Notifications delivered (issue 9): one row per (event, task, occurrence, reminder, user,
-- channel), so that nothing is delivered twice, whichever process or retry tries. A job that
-- sends one (an email) finds its row here and records the outcome on it.
CREATE TABLE deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event TEXT NOT NULL, -- reminder, due_soon, overdue, ...
    task_id BIGINT NOT NULL DEFAULT 0, -- 0: about no task; no foreign key: the log outlives it
    occurrence TEXT NOT NULL DEFAULT '', -- the task's due_at or due_date it was about
    reminder TEXT NOT NULL DEFAULT '', -- which reminder ("at:<instant>", "before:<minutes>")
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'in_app', 'push', 'sms')),
    recipient TEXT, -- where it went: an address, a number
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    late BOOLEAN NOT NULL DEFAULT FALSE, -- delivered after its time (after downtime)
    due_at TIMESTAMPTZ NOT NULL, -- when it was meant to go out
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    UNIQUE (event, task_id, occurrence, reminder, user_id, channel)
);

CREATE INDEX deliveries_user ON deliveries (user_id, id);

CREATE INDEX deliveries_created ON deliveries (created_at);
