-- The language a user's email comes in (issue 9): en or de, English by default.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
