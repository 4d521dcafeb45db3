-- Profiles (issue 11): a short text about oneself, a contact number (not the one SMS
-- notifications go to, which /users/me/phone verifies), and a locale (BCP 47, as de-AT) whose
-- language the email is written in when the server has it.
ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';

ALTER TABLE users ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';

ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';

UPDATE users SET locale = language;
