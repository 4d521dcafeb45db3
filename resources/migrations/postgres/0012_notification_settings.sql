-- What each user wants to hear of and how (issue 9): the channels per event type, quiet hours
-- and the daily digest, as NotificationSettings::toJson writes them. No row: the defaults.
CREATE TABLE notification_settings (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    settings TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- What an email says beyond its task (who changed it, which fields), a JSON object; and
-- whether it waits for the user's daily digest instead of going out alone.
ALTER TABLE deliveries ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
ALTER TABLE deliveries ADD COLUMN for_digest BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX deliveries_for_digest ON deliveries (user_id, id)
    WHERE for_digest AND status = 'pending';

-- Open tasks by due time, for the due-soon and overdue alerts (DueAlertJob).
CREATE INDEX tasks_open_due ON tasks (due_sort, id)
    WHERE status <> 'done' AND trashed_at IS NULL AND (due_at IS NOT NULL OR due_date IS NOT NULL);
