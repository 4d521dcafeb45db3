-- The activity log (issue 11): every account and task action, with who acted, on what, from
-- where, and whether it worked. user_id is whose account the entry belongs to (what
-- /users/me/activity lists), actor_id who acted; deleting an account keeps its entries with
-- both set to NULL (anonymised). details is JSON of names and ids, never a secret. An index
-- by time comes with retention.
CREATE TABLE activity_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id INTEGER,
    client_address TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    details TEXT NOT NULL
);

CREATE INDEX activity_log_user ON activity_log (user_id, id);

CREATE INDEX activity_log_user_action ON activity_log (user_id, action, id);

CREATE INDEX activity_log_actor ON activity_log (actor_id, id);
