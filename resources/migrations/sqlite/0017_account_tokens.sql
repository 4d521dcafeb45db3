-- Email verification and password reset (issue 11). Accounts that existed before count as
-- verified: their addresses were used for months of notifications already.
ALTER TABLE users ADD COLUMN email_verified_at TEXT;

UPDATE users SET email_verified_at = created_at;

-- A new address waiting for its verification link to be followed; it takes effect then.
ALTER TABLE users ADD COLUMN pending_email TEXT;

-- Single-use tokens sent by email: stored as SHA-256 hashes of their 256 random bits, with the
-- address they were sent to (for verify_email, the address the link verifies).
CREATE TABLE account_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

CREATE INDEX account_tokens_expiry ON account_tokens (expires_at);
