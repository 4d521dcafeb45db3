-- Tasks and everything that hangs off them. Timestamps are RFC 3339 UTC text with milliseconds
-- (fixed width, so their text order is their time order); all-day dates are YYYY-MM-DD text.

-- The IANA zone "today", "overdue" and recurrences are computed in for this user.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL, -- the name case-folded: unique per owner
    color TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (owner_id, name_key)
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL, -- the title case-folded, for sort=title
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
    priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 3), -- 1 low, 2 medium, 3 high
    category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    tags_text TEXT NOT NULL DEFAULT '', -- the tags as given, one per line, in order
    -- Who may read the task, as search tokens ("u12 u40": the owner, then each assignee), so
    -- that a search reads one user's matches from the index instead of everyone's.
    readers TEXT NOT NULL DEFAULT '',
    due_at TEXT,
    due_date TEXT,
    -- The instant sort=due and due_before/due_after use: due_at, an all-day date's midnight UTC,
    -- or the far future for no due at all (never NULL, so that cursors compare plainly).
    due_sort TEXT NOT NULL,
    reminders TEXT NOT NULL DEFAULT '[]', -- JSON array of {"at"} / {"before_minutes"}
    rrule TEXT,
    series_start TEXT, -- the first occurrence of the recurrence (due_at or due_date form)
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT,
    trashed_at TEXT,
    CHECK (due_at IS NULL OR due_date IS NULL)
);

CREATE INDEX tasks_owner_due ON tasks (owner_id, due_sort, id);

CREATE INDEX tasks_owner_created ON tasks (owner_id, created_at, id);

CREATE INDEX tasks_owner_updated ON tasks (owner_id, updated_at, id);

CREATE INDEX tasks_owner_priority ON tasks (owner_id, priority, id);

CREATE INDEX tasks_owner_title ON tasks (owner_id, title_key, id);

CREATE INDEX tasks_category ON tasks (category_id);

-- One row per tag for tag=... (tag_key is the tag case-folded).
CREATE TABLE task_tags (
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_key TEXT NOT NULL,
    PRIMARY KEY (task_id, tag_key)
);

CREATE INDEX task_tags_key ON task_tags (tag_key, task_id);

-- task_id is blocked by blocker_id until the blocker is done.
CREATE TABLE task_dependencies (
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    blocker_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, blocker_id)
);

CREATE INDEX task_dependencies_blocker ON task_dependencies (blocker_id);

CREATE TABLE task_shares (
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permission TEXT NOT NULL CHECK (permission IN ('view', 'edit')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (task_id, user_id)
);

CREATE INDEX task_shares_user ON task_shares (user_id, task_id);

-- Completed and skipped occurrences of recurring tasks.
CREATE TABLE task_occurrences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    occurrence TEXT NOT NULL, -- the occurrence's due_at or due_date
    action TEXT NOT NULL CHECK (action IN ('completed', 'skipped')),
    actor_id INTEGER,
    at TEXT NOT NULL
);

CREATE INDEX task_occurrences_task ON task_occurrences (task_id, id);

-- The one log of task changes: every write to a task adds a record in its own transaction.
-- Records outlive their task (a purge leaves its own record), so task_id has no foreign key.
CREATE TABLE task_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL,
    actor_id INTEGER,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL -- JSON array of {"field", "old", "new"}
);

CREATE INDEX task_history_task ON task_history (task_id, id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    uploader_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    stored_name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE INDEX attachments_task ON attachments (task_id, id);

CREATE INDEX attachments_uploader ON attachments (uploader_id);

-- Answers of POST requests made with an Idempotency-Key, stored in the write's transaction.
CREATE TABLE idempotency_keys (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL, -- JSON object of the headers to replay
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Full-text search over title, tags and description, kept in step by triggers. No prefix
-- indexes: they tripled the index work of every write, and searches match whole words.
CREATE VIRTUAL TABLE tasks_fts USING fts5(
    title, tags_text, description, readers, content = 'tasks', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2');

CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, title, tags_text, description, readers)
    VALUES (new.id, new.title, new.tags_text, new.description, new.readers);
END;

CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title, tags_text, description, readers)
    VALUES ('delete', old.id, old.title, old.tags_text, old.description, old.readers);
END;

CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title, tags_text, description, readers ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title, tags_text, description, readers)
    VALUES ('delete', old.id, old.title, old.tags_text, old.description, old.readers);
    INSERT INTO tasks_fts (rowid, title, tags_text, description, readers)
    VALUES (new.id, new.title, new.tags_text, new.description, new.readers);
END;
