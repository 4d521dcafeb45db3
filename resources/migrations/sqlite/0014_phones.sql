-- Phone numbers for SMS (issue 9): a user's verified number, and the code that verifies a new
-- one (stored hashed, expiring, with the attempts and sends counted against abuse).
-- E.164, verified; NULL: none.
ALTER TABLE users ADD COLUMN phone TEXT;

CREATE TABLE phone_verifications (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL, -- hex SHA-256 of the salt and the code
    salt TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT NOT NULL,
    window_started_at TEXT NOT NULL, -- the hour the sends are counted in
    sends_in_window INTEGER NOT NULL
);
