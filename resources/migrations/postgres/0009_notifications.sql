-- In-app notifications (issue 9): each user's own, newest first, read or not. Written in the
-- transaction of what causes them (a share, someone else's change, a finished blocker) or by
-- the job that delivers a reminder.
CREATE TABLE notifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    task_id BIGINT NOT NULL DEFAULT 0, -- 0: about no task; no foreign key: it outlives a purge
    title TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}', -- a JSON object
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ
);

CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;

CREATE INDEX notifications_read ON notifications (read_at) WHERE read_at IS NOT NULL;
