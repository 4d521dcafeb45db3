-- The account mail each account was sent (issue 11): anyone may ask for a reset link or sign up
-- with an address, so each account gets a few such messages an hour at most, however many
-- clients ask. Kept a day.
CREATE TABLE account_mail_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mail TEXT NOT NULL,
    sent_at TEXT NOT NULL
);

CREATE INDEX account_mail_log_user ON account_mail_log (user_id, mail, sent_at);

CREATE INDEX account_mail_log_sent ON account_mail_log (sent_at);
