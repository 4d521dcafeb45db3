-- Rate limits and lockout (issue 11), shared by every server on the database and kept across
-- restarts. Sign-in requests counted per client address and per account in fixed windows;
-- rows of windows gone by are deleted by the periodic cleanup.
CREATE TABLE rate_limit_counters (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE INDEX rate_limit_counters_window ON rate_limit_counters (window_start);

-- Failed sign-ins (wrong passwords and codes) by the address typed, whether or not an account
-- has it, so that known and unknown addresses are slowed and locked alike.
CREATE TABLE login_throttle (
    identifier TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);

CREATE INDEX login_throttle_last_failure ON login_throttle (last_failure_at);
