-- Sessions (issue 11): each refresh-token family is one, from its login to its last refresh,
-- with where and from what it was last used. Access tokens carry its id (the sid claim): an
-- ended session's tokens stop working. Families from before this migration get their row at
-- their next refresh.
CREATE TABLE sessions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    client_address TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    ended_at TIMESTAMPTZ
);

CREATE INDEX sessions_user ON sessions (user_id, last_used_at);

CREATE INDEX sessions_expiry ON sessions (expires_at);

-- A real-time ticket stands for an access token, and so for its session (0: none).
ALTER TABLE realtime_tickets ADD COLUMN session_id BIGINT NOT NULL DEFAULT 0;
