-- Accounts and tokens. Timestamps are RFC 3339 UTC text; ids are integers.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'manager', 'user')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Refresh tokens are stored as SHA-256 hashes, grouped in families: every rotation adds a
-- member; presenting a rotated member again revokes the whole family.
CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    rotated_at TEXT,
    revoked_at TEXT
);

CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

-- Access tokens revoked before they expire (logout), by JWT id.
CREATE TABLE revoked_access_tokens (
    jti TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens (expires_at);
