-- Avatars (issue 11): each user's profile picture as served, a 256 x 256 PNG re-encoded from
-- what they uploaded, with the ETag of those bytes. A user has one or none.
CREATE TABLE avatars (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    image BLOB NOT NULL,
    etag TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
