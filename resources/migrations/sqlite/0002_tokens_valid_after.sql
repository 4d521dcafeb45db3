-- Access tokens issued at or before this time (RFC 3339 UTC text, millisecond precision) are no
-- longer accepted: set when the password changes or every session of the user is ended.
ALTER TABLE users ADD COLUMN tokens_valid_after TEXT;
