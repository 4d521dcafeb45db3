-- Web Push subscriptions (issue 9): one row per browser (its endpoint), with the keys its
-- messages are encrypted for. A push service answering 404 or 410 deletes it.
CREATE TABLE push_subscriptions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL, -- base64url, 65 bytes
    auth TEXT NOT NULL, -- base64url, 16 bytes
    created_at TIMESTAMPTZ NOT NULL,
    last_success_at TIMESTAMPTZ
);

CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, id);
