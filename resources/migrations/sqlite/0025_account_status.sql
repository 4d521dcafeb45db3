-- Whether an account may sign in (issue 11): active; deactivated by its owner
-- (POST /users/me/deactivate) or an administrator; locked by an administrator. Only an
-- administrator brings it back. Neither of the last two signs in, and their access tokens
-- stop working.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'deactivated', 'locked'));

-- Set by an administrator: until the account's owner sets a new password, their tokens reach
-- only /users/me (to read it and change the password) and logout.
ALTER TABLE users ADD COLUMN password_change_required INTEGER NOT NULL DEFAULT 0;
