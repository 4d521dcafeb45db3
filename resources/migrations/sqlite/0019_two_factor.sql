-- Two-factor authentication, TOTP (issue 11). The secret is sealed with AES-256-GCM under the
-- server's 2FA key (never stored in the clear); while totp_enabled_at is null it waits for its
-- first code. totp_last_step is the time step of the last code accepted: no code of that step
-- or an earlier one works again (replay).
ALTER TABLE users ADD COLUMN totp_secret TEXT;

ALTER TABLE users ADD COLUMN totp_enabled_at TEXT;

ALTER TABLE users ADD COLUMN totp_last_step INTEGER;

-- Single-use recovery codes: SHA-256 of a random salt and the code's 80 random bits.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    salt TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT
);

CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- A password that was right, waiting for its second factor: the mfa_token login answers with,
-- stored as the SHA-256 of its 256 random bits. Single use, short-lived, a few tries.
CREATE TABLE mfa_challenges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at TEXT
);

CREATE INDEX mfa_challenges_user ON mfa_challenges (user_id);

CREATE INDEX mfa_challenges_expiry ON mfa_challenges (expires_at);
