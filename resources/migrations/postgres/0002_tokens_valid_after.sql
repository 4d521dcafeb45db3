-- Access tokens issued at or before this time are no longer accepted: set when the password
-- changes or every session of the user is ended.
ALTER TABLE users ADD COLUMN tokens_valid_after TIMESTAMPTZ;
